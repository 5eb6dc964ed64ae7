"""A faithful local simulator of the four provider APIs, for the demo and the tests.

One ASGI app on one loopback port (``{base}`` = ``http://127.0.0.1:PORT``): the APIs under
``{base}/bluejeans/rest``, ``{base}/bluejeans/relay/api``, ``{base}/joinme/v1``,
``{base}/whereby/v1`` and ``{base}/skype/autodiscover/root``; their web pages under
``{base}/<provider>/web`` (Skype: ``/skype/meet``). Run it with
``meeting-launcher sandbox --port N`` or, in process, ``server.start_in_thread()``.

Control API (JSON; for tests and benchmarks; not counted in the stats, never faulted):

- ``PUT {base}/_sandbox/faults/{provider}`` with ``{"kind": K, "delay": 0.0,
  "status": 503, "retry_after": 1.0, "remaining": null}`` makes one provider misbehave
  (``bluejeans`` covers REST and relay) for ``remaining`` requests (``null``: until
  cleared). Kinds:

  ``latency``       wait ``delay`` seconds, then answer normally (a stalled server)
  ``status``        answer ``status`` (default 503) in the provider's error shape
  ``rate_limit``    429 with ``Retry-After: retry_after`` (Whereby adds ``X-RateLimit-*``
                    and ``data.msLeft``; the relay and UCWA their own bodies)
  ``malformed``     200 with a JSON body cut off in the middle
  ``drop``          dropped mid-body: the real status and headers (``Content-Length``
                    of the whole body) and about half the body, then the connection is
                    cut
  ``unauthorized``  the provider's 401 (UCWA: its two ``WWW-Authenticate`` challenges)

- ``DELETE {base}/_sandbox/faults`` (all) or ``DELETE {base}/_sandbox/faults/{provider}``;
  ``GET {base}/_sandbox/faults`` lists the active ones.
- ``GET {base}/_sandbox/stats`` → ``{"requests": {provider: n}}`` (API requests that
  reached the server, faulted ones included); ``POST {base}/_sandbox/stats/reset``.
- ``POST {base}/_sandbox/bulk`` with ``{"provider": P, "count": N}`` adds N meetings
  (Whereby: rooms) to the demo user over the next 30 days.

In process, the same knobs are on :class:`~launcher.sandbox.state.SandboxState`
(``set_fault``, ``clear_faults``, ``stats``, ``bulk``, and per-provider ones such as
``state.bluejeans.relay_rate_limit`` or ``state.skype.max_poll_seconds``). A refused
connection cannot be asked for over HTTP (the listener is gone), so it is a knob of the
running server: ``RunningSandbox.refuse_connections()`` closes the listening socket (every
connection attempt is refused, as with a server that is down) and
``accept_connections()`` listens again on the same port with the same state. To refuse
one provider only, serve that provider's account from a second ``start_in_thread(state)``
over the same state and close that one.
"""
