//! Key derivation: every secret in the HSM is HKDF-SHA256 (RFC 5869) of the seed, so none is ever stored.

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

/// The length of every derived secret (master, backing keys, per-message keys, DRBG blocks).
pub(crate) const SECRET_LEN: usize = 32;

/// A 32-byte secret that is wiped when dropped.
pub(crate) type Secret = Zeroizing<[u8; SECRET_LEN]>;

/// HKDF-SHA256 with a 32-byte output; `info` is the concatenation of its parts.
pub(crate) fn hkdf32(salt: &[u8], ikm: &[u8], info: &[&[u8]]) -> Secret {
    let mut okm: Secret = Zeroizing::new([0; SECRET_LEN]);
    let hkdf = Hkdf::<Sha256>::new(Some(salt), ikm);
    #[expect(clippy::expect_used, reason = "HKDF-SHA256 can expand up to 8160 bytes and we ask for 32")]
    hkdf.expand_multi_info(info, okm.as_mut_slice()).expect("32 bytes is within the HKDF-SHA256 output limit");
    okm
}

/// `master = HKDF-SHA256(ikm = seed as u64 BE, salt = "kmsim/hsm/v1", info = "master")`.
pub(crate) fn master(seed: u64) -> Secret {
    hkdf32(b"kmsim/hsm/v1", &seed.to_be_bytes(), &[b"master"])
}

/// The AES-256 backing key of one key version:
/// `HKDF-SHA256(ikm = master, salt = "kmsim/backing-key", info = key id || 0x00 || version as u32 BE)`.
///
/// The key id never contains 0x00 (it is printable ASCII), so the info string is unambiguous.
pub(crate) fn backing_key(master: &[u8], key_id: &str, version: u32) -> Secret {
    hkdf32(b"kmsim/backing-key", master, &[key_id.as_bytes(), &[0], &version.to_be_bytes()])
}

/// The per-message data-encryption key, as AWS KMS derives one from the backing key and the nonce:
/// `HKDF-SHA256(ikm = backing key, salt = nonce, info = "kmsim/encrypt")`.
pub(crate) fn message_key(backing_key: &[u8], nonce: &[u8]) -> Secret {
    hkdf32(nonce, backing_key, &[b"kmsim/encrypt"])
}

/// The DRBG's blocks: one 32-byte block is
/// `HKDF-SHA256(ikm = master, salt = "kmsim/drbg", info = purpose label || 0x00 || counter as u64 BE)`.
/// The extract step depends on the master only, so it runs once per HSM and each block costs one HKDF expand (two
/// SHA-256 compressions instead of eight: audit ids are drawn for every call and every service event).
#[derive(Clone)]
pub(crate) struct Drbg(Hkdf<Sha256>);

impl Drbg {
    pub(crate) fn new(master: &[u8]) -> Drbg {
        Drbg(Hkdf::<Sha256>::new(Some(b"kmsim/drbg"), master))
    }

    pub(crate) fn block(&self, label: &[u8], counter: u64) -> Secret {
        let mut okm: Secret = Zeroizing::new([0; SECRET_LEN]);
        #[expect(clippy::expect_used, reason = "HKDF-SHA256 can expand up to 8160 bytes and we ask for 32")]
        self.0
            .expand_multi_info(&[label, &[0], &counter.to_be_bytes()], okm.as_mut_slice())
            .expect("32 bytes is within the HKDF-SHA256 output limit");
        okm
    }
}

/// One DRBG block without a [`Drbg`] (tests compare the two).
#[cfg(test)]
pub(crate) fn drbg_block(master: &[u8], label: &[u8], counter: u64) -> Secret {
    hkdf32(b"kmsim/drbg", master, &[label, &[0], &counter.to_be_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drbg_gives_the_blocks_of_the_formula() {
        let m = master(42);
        let d = Drbg::new(m.as_slice());
        for (label, counter) in [(&b"random"[..], 0u64), (b"request-id", 1), (b"nonce", u64::MAX)] {
            assert_eq!(*d.block(label, counter), *drbg_block(m.as_slice(), label, counter));
        }
        assert_ne!(*d.block(b"random", 0), *d.block(b"random", 1));
    }
}
