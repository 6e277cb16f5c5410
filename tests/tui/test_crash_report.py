"""A crash report never shows local variables: one could hold a card number being typed."""

from __future__ import annotations


def test_the_crash_report_shows_the_traceback_without_local_variables(make_app):
    app = make_app()
    app._close_messages_no_wait = lambda: None  # only the report is under test, not the exit
    try:
        card_number = "4111" + "1" * 12  # built at run time: the source shown must not hold it
        raise RuntimeError(f"failed while handling card ending {card_number[-4:]}")
    except RuntimeError:
        app._fatal_error()
    report = "".join(segment.text for segments in app._exit_renderables for segment in segments.segments)
    assert "RuntimeError" in report and "ending 1111" in report
    assert "4111111111111111" not in report
