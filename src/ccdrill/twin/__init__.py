"""The contact-centre twin: a validated discrete-event simulator of a contact centre under incidents.

One noun per module: ``model`` (the centre file), ``distributions``, ``effects``, ``engine`` (the
``Simulation``), ``kpis``, ``erlang``, ``montecarlo``, ``fastpath`` and ``compiled`` (the engines compiled with numba), ``limits``.
Pure code: no I/O.
"""
