"""Bounds that keep a simulation within one machine's memory and patience.

A model or an effect beyond these is refused with a clear message *before*
any array is allocated.  Checked by :mod:`ccdrill.twin.model` and again by
:class:`ccdrill.twin.engine.Simulation` (models may be built without validation).
"""

from __future__ import annotations

MAX_HORIZON_HOURS = 24 * 7  # one week of simulated time
MAX_AGENTS_PER_GROUP = 100_000
MAX_AGENTS_TOTAL = 200_000
MAX_CHANNELS = 32
MAX_GROUPS = 256
MAX_CONCURRENCY = 20
MAX_CUSTOMERS = 50_000_000  # expected arrivals of one simulated day (all channels)
MAX_RATE_PER_HOUR = 10_000_000.0
MIN_MEAN_S = 0.1  # a handle time or patience shorter than this is not a contact
MAX_MEAN_S = 7 * 24 * 3600.0
MAX_REPLICATIONS = 1_000_000
MAX_EMPIRICAL_VALUES = 1_000_000
