"""harness.py - what the HTTP suites (test_api, test_access, test_tls) share: running
their tests one by one, a whole suite around its fixture and servers (run_suite), and the
closing lines run_all.sh counts ("N passed, M failed").
Each suite keeps its own fixture."""

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


def run_suite(ctx, fixture, tests):
    """A suite whose ctx holds its servers in ctx.servers (each with stop(), exit_code and
    problems()): builds the fixture (a failure there is one failed test and stops the
    suite), runs the tests, stops the servers and counts their sanitizer or exit problems
    as one more test, then finishes.  Returns the exit status."""
    try:
        fixture(ctx)
    except Exception as exc:  # noqa: BLE001 - report and stop
        print("FAIL fixture: %s" % (exc if isinstance(exc, AssertionError)
                                    else traceback.format_exc(limit=4)))
        for s in ctx.servers:
            s.stop()
        ctx.cleanup()
        print("0 passed, 1 failed")
        return 1
    try:
        passed, failed = run_tests(tests, ctx)
    finally:
        for s in ctx.servers:
            if s.exit_code is None:
                s.stop()
    problems = [p for s in ctx.servers for p in s.problems()]
    if problems:
        failed += 1
        print("FAIL shutdown: %s" % "; ".join(problems)[:6000])
    else:
        passed += 1
        print("ok   shutdown")
    return finish(ctx, passed, failed)
