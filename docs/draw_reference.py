#!/usr/bin/env python3
"""An independent recomputation of a shenguan draw (algorithm chacha20-fisher-yates-v1).

    python3 docs/draw_reference.py draw.json      # the JSON of GET /api/v1/draws/{id}

Only the standard library: SHA-256 from hashlib, ChaCha20 written out below (RFC 7539's
quarter round, the original 64-bit counter and 64-bit nonce layout, nonce 0). docs/DRAWS.md
describes each step; this file exists so that a draw can be checked without shenguan.
"""
import hashlib
import json
import struct
import sys

MASK = 0xFFFFFFFF


def _rotl(v, n):
    return ((v << n) & MASK) | (v >> (32 - n))


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK; s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK; s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK; s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK; s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_words(key):
    """The keystream as 32-bit words: key = 32 bytes, nonce 0, block counter from 0."""
    k = struct.unpack("<8I", key)
    counter = 0
    while True:
        init = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *k,
                counter & MASK, counter >> 32, 0, 0]
        s = list(init)
        for _ in range(10):
            _quarter(s, 0, 4, 8, 12); _quarter(s, 1, 5, 9, 13)
            _quarter(s, 2, 6, 10, 14); _quarter(s, 3, 7, 11, 15)
            _quarter(s, 0, 5, 10, 15); _quarter(s, 1, 6, 11, 12)
            _quarter(s, 2, 7, 8, 13); _quarter(s, 3, 4, 9, 14)
        for a, b in zip(s, init):
            yield (a + b) & MASK
        counter += 1


def u64_stream(key):
    words = chacha20_words(key)
    while True:
        lo = next(words)
        hi = next(words)
        yield lo | (hi << 32)


def commitment(secret):
    return hashlib.sha256(b"shenguan/draw-commitment/v1" + secret).digest()


def seed(event_id, sequence, secret):
    return hashlib.sha256(b"shenguan/draw-seed/v1" + struct.pack(">qI", event_id, sequence)
                          + secret).digest()


def draw(seed_bytes, candidates, count):
    stream = u64_stream(seed_bytes)

    def below(bound):
        reject_under = (1 << 64) % bound
        while True:
            x = next(stream)
            if x >= reject_under:
                return x % bound

    v = list(candidates)
    n = len(v)
    for i in range(count):
        j = i + below(n - i)
        v[i], v[j] = v[j], v[i]
    return v[:count]


def main(path):
    d = json.load(open(path, encoding="utf-8"))
    secret = bytes.fromhex(d["secret"])
    cands = [c["id"] for c in d["candidates"]]
    recorded = [e["id"] for e in d["drawn"]]
    s = seed(d["event_id"], d["sequence"], secret)
    checks = {
        "algorithm": d["algorithm"] == "chacha20-fisher-yates-v1",
        "commitment": commitment(secret).hex() == d["commitment"],
        "seed": s.hex() == d["seed"],
        "canonical": all(a < b for a, b in zip(cands, cands[1:])),
    }
    recomputed = draw(s, cands, len(recorded))
    checks["drawn"] = recomputed == recorded
    for name, ok in checks.items():
        print(f"{name}: {'ok' if ok else 'FAILED'}")
    print("recomputed:", recomputed)
    print("recorded:  ", recorded)
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    if len(sys.argv) == 2:
        sys.exit(main(sys.argv[1]))
    # The fixed vectors of src/domain/draw.rs.
    print("first u64 of the zero key:", hex(next(u64_stream(bytes(32)))))
    sec = bytes([7]) * 32
    print("commitment(7s):", commitment(sec).hex())
    sd = seed(42, 1, sec)
    print("seed(42, 1, 7s):", sd.hex())
    print("draw 5 of 1..=20:", draw(sd, range(1, 21), 5))
    print("draw 5 of [10..50] with zero seed:", draw(bytes(32), [10, 20, 30, 40, 50], 5))
