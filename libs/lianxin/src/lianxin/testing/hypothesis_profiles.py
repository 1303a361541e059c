"""How hard the property tests (Hypothesis) try: a profile per kind of run, as the Hypothesis
docs recommend, so that a test names no example count of its own. (A state machine still says
how many steps one of its runs takes: that is the shape of its story, not the effort.)

- `default`, and Hypothesis's own `ci` (active when `CI` is set, as in `.ci/run`): `make test`,
  thorough: 200 examples a test, the most any property test asked for before the profiles (the
  wishes' machine asked for 150, the ledger's for 60: they now get 200 too).
- `quick`: `make test-unit` (`--hypothesis-profile=quick`), run after every change: 20 examples
  a test, about a second in all. A failure it finds is saved in the example database (where the
  test keeps one) and replayed first by the next run, whichever the profile.

The plugin imports this module, so the profiles exist before Hypothesis's pytest plugin loads
the one `--hypothesis-profile` names.
"""

from __future__ import annotations

from hypothesis import settings

THOROUGH_EXAMPLES = 200
QUICK_EXAMPLES = 20

# Replacing the built-in profiles keeps what they set besides (ci: derandomize, no deadline...).
settings.register_profile(
    "default", settings.get_profile("default"), max_examples=THOROUGH_EXAMPLES
)
settings.register_profile("ci", settings.get_profile("ci"), max_examples=THOROUGH_EXAMPLES)
settings.register_profile("quick", settings.get_profile("default"), max_examples=QUICK_EXAMPLES)
