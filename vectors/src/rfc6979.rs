//! Deterministic ECDSA over P-521 with SHA-512 (RFC 6979 §3.2).
//!
//! Why this exists: p521 0.13 signs with a random nonce (its `Signer` draws
//! from the OS), and RustCrypto's RFC 6979 helper wants a digest as long as the
//! field (66 bytes for P-521; SHA-512 gives 64). So the nonce is derived here
//! with RFC 6979's HMAC-DRBG (`rfc6979::HmacDrbg`), including the `bits2int`
//! shift that a 521-bit order needs, and the signature equation is the `ecdsa`
//! crate's. The RFC's own test vector (A.2.7) pins the result.

use ecdsa::hazmat::{bits2field, sign_prehashed};
use p521::elliptic_curve::ff::PrimeField;
use p521::{FieldBytes, NistP521, Scalar};
use sha2::{Digest, Sha512};

/// Bits of the order of P-521, and bytes of a scalar.
const QLEN_BITS: usize = 521;
const SCALAR_LEN: usize = 66;

/// Signs `message` with the secret scalar `secret` (66 bytes, big-endian):
/// `r || s`, 132 bytes, as JOSE ES512 wants.
///
/// # Panics
/// If `secret` is not a valid non-zero scalar.
pub fn sign_p521(secret: &[u8], message: &[u8]) -> Vec<u8> {
    let d = scalar(secret).expect("a secret scalar below the order");
    let h1 = Sha512::digest(message);
    // SHA-512 output is below the order, so bits2octets(h1) is h1 left-padded.
    let z: FieldBytes = bits2field::<NistP521>(&h1).expect("64-byte digest");
    let mut drbg = rfc6979::HmacDrbg::<Sha512>::new(secret, &z, &[]);
    let k = loop {
        let mut t = [0u8; SCALAR_LEN];
        drbg.fill_bytes(&mut t);
        if let Some(k) = scalar(&bits2int(&t)).filter(|k| !bool::from(k.is_zero())) {
            break k;
        }
    };
    let (signature, _) = sign_prehashed::<NistP521, Scalar>(&d, k, &z).expect("non-zero k");
    signature.to_bytes().to_vec()
}

/// RFC 6979 `bits2int` of a 528-bit string for a 521-bit order: keep the
/// leftmost 521 bits, i.e. shift right by 7.
fn bits2int(t: &[u8; SCALAR_LEN]) -> [u8; SCALAR_LEN] {
    let shift = SCALAR_LEN * 8 - QLEN_BITS;
    let mut out = [0u8; SCALAR_LEN];
    let mut carry = 0u8;
    for (o, b) in out.iter_mut().zip(t) {
        *o = (b >> shift) | carry;
        carry = b << (8 - shift);
    }
    out
}

fn scalar(bytes: &[u8]) -> Option<Scalar> {
    let mut repr = FieldBytes::default();
    if bytes.len() != repr.len() {
        return None;
    }
    repr.copy_from_slice(bytes);
    Option::from(Scalar::from_repr(repr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 6979 A.2.7: P-521, SHA-512, message "sample".
    #[test]
    fn the_rfc_test_vector_signs_as_published() {
        let x = hex(concat!(
            "00FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75C",
            "AA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538"
        ));
        let r = hex(concat!(
            "00C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F1",
            "74E25A1EE9017B5D450606ADD152B534931D7D4E8455CC91F9B15BF05EC36E377FA"
        ));
        let s = hex(concat!(
            "00617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF2",
            "82623EAA63E5B5C0723D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A67A"
        ));
        let sig = sign_p521(&x, b"sample");
        assert_eq!(sig[..66], r[..]);
        assert_eq!(sig[66..], s[..]);
    }
}
