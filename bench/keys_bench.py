"""`dangjian keys check` and `keys rotate` at scale, against the raw decrypt+encrypt loop.

    DANGJIAN_VAR_DIR=/tmp/bench_county uv run dangjian migrate
    DANGJIAN_VAR_DIR=/tmp/bench_county uv run dangjian demo --scale county
    DANGJIAN_VAR_DIR=/tmp/bench_county uv run python bench/keys_bench.py > /tmp/keys_bench.md

Steps (each timed on its own, in this process):

1. `keys.check()` over every encrypted value (all under the installation's key).
2. A new first key is put in front of the configured ones (in this process only: the database
   is left re-encrypted under a key that is then lost, so run it on a scratch copy).
3. `keys.rotate()`: every value re-encrypted, 2,000 rows a transaction.
4. `keys.rotate()` again: nothing to do (what a rerun after completion costs).
5. `keys.check()` again, now all under the new key.
6. The lower bound: the same values (read beforehand, untimed) decrypted and encrypted again in
   a plain Python loop, without the database.
"""

import os
import time
from base64 import b64encode

from _harness import machine, row, setup_django


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.test.utils import override_settings

    from dangjian.core import keys
    from dangjian.core.crypto import get_cipher, parse_keys

    values = []
    for model, f in keys.encrypted_fields():
        for rows in keys._raw_batches(model, str(f.column)):
            values.extend((token, f.context) for _pk, token in rows)
    print(f"Machine: {machine()}; database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"{len(values):,} encrypted values\n")
    print(row("step", "values", "seconds", "values/s"))
    print(row("---", "---", "---", "---"))

    def step(name: str, func: object, count: int) -> float:
        start = time.perf_counter()
        result = func()  # type: ignore[operator]
        seconds = time.perf_counter() - start
        assert getattr(result, "failed", 0) == 0, result
        print(row(name, f"{count:,}", f"{seconds:.2f}", f"{count / seconds:,.0f}" if count else "-"))
        return seconds

    step("keys check", keys.check, len(values))
    current, _active = parse_keys(settings.FIELD_ENCRYPTION_KEYS)
    spec = ",".join(f"{k}:{b64encode(v).decode()}" for k, v in [("bench", os.urandom(32)), *current.items()])
    with override_settings(FIELD_ENCRYPTION_KEYS=spec):
        get_cipher.cache_clear()
        rotate = step("keys rotate", keys.rotate, len(values))
        step("keys rotate, rerun (nothing left)", keys.rotate, 0)
        step("keys check after", keys.check, len(values))
        cipher = get_cipher()
        start = time.perf_counter()
        for token, context in values:
            cipher.encrypt(cipher.decrypt(token, context), context)
        raw = time.perf_counter() - start
        rate = f"{len(values) / raw:,.0f}"
        print(row("lower bound: decrypt+encrypt loop", f"{len(values):,}", f"{raw:.2f}", rate))
        print(f"\nrotate / lower bound: {rotate / raw:.1f}x")


if __name__ == "__main__":
    main()
