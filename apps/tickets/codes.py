"""Tracking codes: short, unambiguous, unguessable — never the database id."""

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read aloud over the phone and to type on a keypad.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
LENGTH = 10  # 25**10 ≈ 9.5e13 codes: guessing one live code is hopeless, and the lookup is throttled.


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())
