"""Access-log lines lose their query strings (they may carry a patient's name) also when
the line comes preformatted, with no arguments; a non-text message is left alone."""

from __future__ import annotations

import logging

from priorauth.security import DropQueryStrings


def _record(msg) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, msg, None, None)


def test_a_preformatted_access_line_loses_its_query_string():
    record = _record('127.0.0.1 - - "GET /patients?q=Smith&mrn=77 HTTP/1.1" 200 -')
    assert DropQueryStrings().filter(record) is True
    assert record.getMessage() == '127.0.0.1 - - "GET /patients?… HTTP/1.1" 200 -'
    assert "Smith" not in record.getMessage()


def test_a_message_that_is_not_text_is_kept_as_it_is():
    problem = ValueError("/patients?q=Smith")
    record = _record(problem)
    assert DropQueryStrings().filter(record) is True
    assert record.msg is problem
