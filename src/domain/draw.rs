//! The verifiable random draw of experts (art. 10(3): "随机抽取"), as a pure function of its
//! record: anyone holding a draw's record recomputes its result with this module alone.
//! docs/DRAWS.md explains the construction and why the bureau cannot choose the outcome.
//!
//! Algorithm `chacha20-fisher-yates-v1`:
//! 1. `commitment = SHA-256("shenguan/draw-commitment/v1" ‖ secret)`, recorded (and shown to
//!    the event's participants) before the draw; `secret` is 32 random bytes of the server.
//! 2. `seed = SHA-256("shenguan/draw-seed/v1" ‖ event_id as 8 bytes big-endian ‖ sequence as
//!    4 bytes big-endian ‖ secret)`.
//! 3. A ChaCha20 stream (20 rounds, the 32-byte seed as key, nonce 0, block counter from 0;
//!    `rand_chacha::ChaCha20Rng::from_seed`) read as little-endian 64-bit words (each word:
//!    the low 32-bit word of the keystream first).
//! 4. The candidates in canonical order (expert id ascending, no repeats), `n` of them. For
//!    `i` in `0..count`: `j = i + below(n - i)`, swap positions `i` and `j` (a forward
//!    Fisher–Yates shuffle stopped after `count` steps). `drawn` = the first `count`.
//! 5. `below(b)` is unbiased: take the next word `x`; reject it while `x < (2^64 mod b)`
//!    (so the accepted range is a whole number of copies of `0..b`); answer `x mod b`.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

/// The name recorded with every draw made by [`draw`].
pub const ALGORITHM: &str = "chacha20-fisher-yates-v1";

const COMMITMENT_TAG: &[u8] = b"shenguan/draw-commitment/v1";
const SEED_TAG: &[u8] = b"shenguan/draw-seed/v1";

pub type Bytes32 = [u8; 32];

/// What the server publishes before the draw: binds it to `secret` without revealing it.
pub fn commitment(secret: &Bytes32) -> Bytes32 {
    let mut h = Sha256::new();
    h.update(COMMITMENT_TAG);
    h.update(secret);
    h.finalize().into()
}

/// The seed of draw number `sequence` (1, 2, … per event) of a joint event.
pub fn seed(event_id: i64, sequence: u32, secret: &Bytes32) -> Bytes32 {
    let mut h = Sha256::new();
    h.update(SEED_TAG);
    h.update(event_id.to_be_bytes());
    h.update(sequence.to_be_bytes());
    h.update(secret);
    h.finalize().into()
}

/// An unbiased integer in `0..bound` (`bound` ≥ 1) from the stream (step 5).
fn below(rng: &mut ChaCha20Rng, bound: u64) -> u64 {
    debug_assert!(bound > 0);
    // 2^64 mod bound, computed without 128-bit arithmetic.
    let reject_under = bound.wrapping_neg() % bound;
    loop {
        let x = rng.next_u64();
        if x >= reject_under {
            return x % bound;
        }
    }
}

/// Why a draw cannot be made from these inputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("count must be at least 1")]
    NoneAsked,
    #[error("{asked} asked, {available} candidates")]
    TooFew { asked: usize, available: usize },
    #[error("candidates are not in canonical order (ascending, no repeats)")]
    NotCanonical,
}

/// Whether ids are in canonical order: strictly ascending.
pub fn is_canonical(candidates: &[i64]) -> bool {
    candidates.windows(2).all(|w| w[0] < w[1])
}

/// Draw `count` of `candidates` (canonical order) with `seed` (steps 3–4).
pub fn draw(seed: &Bytes32, candidates: &[i64], count: usize) -> Result<Vec<i64>, DrawError> {
    if count == 0 {
        return Err(DrawError::NoneAsked);
    }
    if count > candidates.len() {
        return Err(DrawError::TooFew {
            asked: count,
            available: candidates.len(),
        });
    }
    if !is_canonical(candidates) {
        return Err(DrawError::NotCanonical);
    }
    let mut rng = ChaCha20Rng::from_seed(*seed);
    let mut v = candidates.to_vec();
    let n = v.len();
    for i in 0..count {
        let j = i + below(&mut rng, (n - i) as u64) as usize;
        v.swap(i, j);
    }
    v.truncate(count);
    Ok(v)
}

/// A stored draw's record, as far as recomputing it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    pub algorithm: &'a str,
    pub event_id: i64,
    pub sequence: u32,
    pub commitment: &'a str,
    pub secret: &'a str,
    pub seed: &'a str,
    pub candidates: &'a [i64],
    pub drawn: &'a [i64],
}

/// The answer of recomputing a record: each check, and the result drawn again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub algorithm_known: bool,
    /// The revealed secret hashes to the commitment recorded before the draw.
    pub commitment_matches: bool,
    /// The recorded seed is the one derived from the event, the sequence and the secret.
    pub seed_matches: bool,
    pub candidates_canonical: bool,
    /// Drawn again from the recorded candidates with the derived seed (empty when that
    /// cannot be done).
    pub recomputed: Vec<i64>,
    /// Every check holds and `recomputed` equals the recorded `drawn`.
    pub matches: bool,
}

/// Recompute a draw from its record.
pub fn verify(r: &Record<'_>) -> Verification {
    let algorithm_known = r.algorithm == ALGORITHM;
    let secret = from_hex(r.secret);
    let commitment_matches = secret.is_some_and(|s| from_hex(r.commitment) == Some(commitment(&s)));
    let derived = secret.map(|s| seed(r.event_id, r.sequence, &s));
    let seed_matches = derived.is_some() && derived == from_hex(r.seed);
    let candidates_canonical = is_canonical(r.candidates);
    let recomputed = match derived {
        Some(s) if algorithm_known => draw(&s, r.candidates, r.drawn.len()).unwrap_or_default(),
        _ => Vec::new(),
    };
    let matches = algorithm_known
        && commitment_matches
        && seed_matches
        && candidates_canonical
        && !recomputed.is_empty()
        && recomputed == r.drawn;
    Verification {
        algorithm_known,
        commitment_matches,
        seed_matches,
        candidates_canonical,
        recomputed,
        matches,
    }
}

/// Recompute a draw from its stored (or exported) record: what
/// `GET /api/v1/draws/{id}/verification` and `shenguan draw verify` answer.
pub fn verify_draw(d: &crate::api::Draw) -> crate::api::DrawVerification {
    let candidates: Vec<i64> = d.candidates.iter().map(|c| c.id).collect();
    let recorded: Vec<i64> = d.drawn.iter().map(|e| e.id).collect();
    let v = verify(&Record {
        algorithm: &d.algorithm,
        event_id: d.event_id,
        sequence: d.sequence,
        commitment: &d.commitment,
        secret: &d.secret,
        seed: &d.seed,
        candidates: &candidates,
        drawn: &recorded,
    });
    crate::api::DrawVerification {
        draw_id: d.id,
        matches: v.matches,
        algorithm: d.algorithm.clone(),
        algorithm_known: v.algorithm_known,
        commitment_matches: v.commitment_matches,
        committed_before: d.committed_at < d.made_at,
        seed_matches: v.seed_matches,
        candidates_canonical: v.candidates_canonical,
        recomputed: v.recomputed,
        recorded,
    }
}

/// Lower-case hex, as seeds, secrets and commitments are recorded.
pub fn to_hex(b: &Bytes32) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// 64 hex digits → 32 bytes (`None` for anything else).
pub fn from_hex(s: &str) -> Option<Bytes32> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(b: u8) -> Bytes32 {
        [b; 32]
    }

    /// The stream is standard ChaCha20: the first keystream block for the all-zero key and
    /// nonce begins 76 b8 e0 ad a0 f1 3d 90 (the published test vector), read little-endian.
    #[test]
    fn the_stream_is_chacha20() {
        let mut rng = ChaCha20Rng::from_seed([0; 32]);
        assert_eq!(rng.next_u64(), 0x903d_f1a0_ade0_b876);
    }

    /// Fixed vectors: any change of the hash inputs, the stream or the shuffle fails here,
    /// and with it every stored draw's verification.
    #[test]
    fn fixed_vectors() {
        // The same numbers come out of docs/draw_reference.py (an independent implementation
        // in Python's standard library): `python3 docs/draw_reference.py`.
        assert_eq!(
            to_hex(&commitment(&secret(7))),
            "ad318aa0b4d6bb3474cffb60c75b4bcd536fc38074bb3b950d266de9855e838e"
        );
        let s = seed(42, 1, &secret(7));
        assert_eq!(
            to_hex(&s),
            "d5c74b19a6f6597302de8d8bd4faa5a507df7ad49504d27d112430de965194c6"
        );
        let candidates: Vec<i64> = (1..=20).collect();
        assert_eq!(draw(&s, &candidates, 5).unwrap(), [4, 11, 9, 2, 8]);
        assert_eq!(
            draw(&[0; 32], &[10, 20, 30, 40, 50], 5).unwrap(),
            [10, 20, 50, 40, 30]
        );
    }

    #[test]
    fn a_prefix_of_the_longer_draw() {
        // Drawing fewer is the beginning of drawing more: the shuffle goes front to back.
        let s = seed(9, 3, &secret(1));
        let c: Vec<i64> = (100..200).collect();
        let ten = draw(&s, &c, 10).unwrap();
        assert_eq!(draw(&s, &c, 4).unwrap(), ten[..4]);
        let all = draw(&s, &c, 100).unwrap();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, c, "a permutation of the candidates");
    }

    #[test]
    fn seeds_differ_by_event_sequence_and_secret() {
        let base = seed(1, 1, &secret(0));
        assert_ne!(base, seed(2, 1, &secret(0)));
        assert_ne!(base, seed(1, 2, &secret(0)));
        assert_ne!(base, seed(1, 1, &secret(1)));
        assert_eq!(base, seed(1, 1, &secret(0)));
    }

    #[test]
    fn refuses_bad_inputs() {
        let s = [3; 32];
        assert_eq!(draw(&s, &[1, 2], 0), Err(DrawError::NoneAsked));
        assert_eq!(
            draw(&s, &[1, 2], 3),
            Err(DrawError::TooFew {
                asked: 3,
                available: 2
            })
        );
        assert_eq!(draw(&s, &[2, 1], 1), Err(DrawError::NotCanonical));
        assert_eq!(draw(&s, &[1, 1], 1), Err(DrawError::NotCanonical));
        assert_eq!(draw(&s, &[5], 1), Ok(vec![5]));
    }

    /// Every position is equally likely: 3 candidates, 60,000 draws of one over distinct
    /// seeds, each within 2 % of a third.
    #[test]
    fn uniform_over_many_seeds() {
        let mut counts = [0u32; 3];
        for k in 0..60_000u32 {
            let s = seed(1, k, &secret(5));
            let d = draw(&s, &[1, 2, 3], 1).unwrap();
            counts[(d[0] - 1) as usize] += 1;
        }
        for c in counts {
            assert!((19_600..=20_400).contains(&c), "{counts:?}");
        }
    }

    /// `below` never answers out of range, including for bounds that are not powers of two
    /// and for the largest bound.
    #[test]
    fn below_stays_in_range() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        for b in [1u64, 2, 3, 7, 10_000, u64::MAX / 3 * 2, u64::MAX] {
            for _ in 0..200 {
                assert!(below(&mut rng, b) < b);
            }
        }
    }

    fn record<'a>(
        secret_hex: &'a str,
        commitment_hex: &'a str,
        seed_hex: &'a str,
        candidates: &'a [i64],
        drawn: &'a [i64],
    ) -> Record<'a> {
        Record {
            algorithm: ALGORITHM,
            event_id: 42,
            sequence: 1,
            commitment: commitment_hex,
            secret: secret_hex,
            seed: seed_hex,
            candidates,
            drawn,
        }
    }

    #[test]
    fn verification_recomputes_and_catches_tampering() {
        let sec = secret(7);
        let (sh, ch) = (to_hex(&sec), to_hex(&commitment(&sec)));
        let sd = to_hex(&seed(42, 1, &sec));
        let cands: Vec<i64> = (1..=20).collect();
        let drawn = draw(&from_hex(&sd).unwrap(), &cands, 3).unwrap();
        let ok = verify(&record(&sh, &ch, &sd, &cands, &drawn));
        assert!(ok.matches, "{ok:?}");
        assert_eq!(ok.recomputed, drawn);
        // Another drawn list.
        let mut other = drawn.clone();
        other[0] = if other[0] == 1 { 2 } else { 1 };
        assert!(!verify(&record(&sh, &ch, &sd, &cands, &other)).matches);
        // A candidate removed after the fact.
        let fewer: Vec<i64> = cands.iter().copied().filter(|c| *c != 20).collect();
        assert!(!verify(&record(&sh, &ch, &sd, &fewer, &drawn)).matches);
        // A secret that is not the committed one, a seed not derived from it.
        let other_secret = to_hex(&secret(8));
        let v = verify(&record(&other_secret, &ch, &sd, &cands, &drawn));
        assert!(!v.commitment_matches && !v.matches);
        let v = verify(&record(&sh, &ch, &to_hex(&[0; 32]), &cands, &drawn));
        assert!(!v.seed_matches && !v.matches);
        // Candidates out of canonical order, an unknown algorithm, garbage hex.
        let mut shuffled = cands.clone();
        shuffled.swap(0, 1);
        assert!(!verify(&record(&sh, &ch, &sd, &shuffled, &drawn)).matches);
        let mut r = record(&sh, &ch, &sd, &cands, &drawn);
        r.algorithm = "md5-v0";
        assert!(!verify(&r).matches);
        assert!(!verify(&record("zz", &ch, &sd, &cands, &drawn)).matches);
    }

    #[test]
    fn hex_round_trip() {
        let b = seed(1, 1, &secret(3));
        assert_eq!(from_hex(&to_hex(&b)), Some(b));
        assert_eq!(from_hex("00"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
        assert_eq!(from_hex(&"é".repeat(32)), None);
    }
}
