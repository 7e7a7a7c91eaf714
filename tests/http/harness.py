"""harness.py - what the HTTP suites (test_api, test_access, test_tls) share: running
their tests one by one, and the closing lines run_all.sh counts ("N passed, M failed").
Each suite keeps its own fixture and its own shutdown checks."""

import traceback


def run_tests(tests, ctx):
    """Runs each test function with ctx, printing "ok"/"FAIL" lines; a failure of one
    never stops the others.  Returns (passed, failed)."""
    passed = failed = 0
    for fn in tests:
        try:
            fn(ctx)
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            failed += 1
            detail = str(exc) if isinstance(exc, AssertionError) else \
                traceback.format_exc(limit=3).strip().replace("\n", " | ")
            print("FAIL %s: %s" % (fn.__name__, detail))
        else:
            passed += 1
            print("ok   %s" % fn.__name__)
    return passed, failed


def finish(ctx, passed, failed):
    """Removes the suite's databases and files (a failure to counts as a failed test),
    prints the closing line and returns the exit status."""
    try:
        ctx.cleanup()
    except Exception as exc:  # noqa: BLE001 - the database could not be dropped
        failed += 1
        print("FAIL cleanup: %s" % exc)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
