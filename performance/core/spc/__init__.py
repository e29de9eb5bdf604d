"""XmR statistical process control of an indicator's history (SPEC §4, NHS "Making Data Count").

Pure: no Django import; dataclasses in and out; `Decimal` throughout, no floats.

Method, for each segment of the series (the whole series, or the stretches between the change
points at which the performance officer rebased the limits):

- centre line = mean; moving range = |xᵢ - xᵢ₋₁| within the segment; process limits =
  mean ± 2.66 * mean moving range. Moving ranges are not screened for outliers.
- near-limit band = strictly beyond mean ± (2/3 * 2.66) * mean moving range and not beyond the
  process limit on that side (a point exactly on a limit is inside it).
- rules, each flagging every point of the run that triggers it, evaluated within a segment:
  1. outside a process limit (strictly beyond it);
  2. shift: `run_length` or more consecutive points strictly on the same side of the mean;
     a point exactly on the mean belongs to neither side and breaks the run;
  3. trend: `run_length` or more consecutive *points* each strictly above (or below) the one
     before — so the default 7 means six consecutive increases, as Making Data Count counts
     points; a repeated value breaks the trend (it may start the next one);
  4. two of three consecutive points in the near-limit band, all three strictly on the same
     side of the mean; the points in the band are flagged (not the third point nearer the mean).
- variation of a point: `common` when no rule flags it; otherwise the side of each signal
  (above the mean / rising is "high") is judged by polarity: high is `improving` when higher is
  better, `concerning` when lower is better, and vice versa. A point with both high and low
  signals (say a falling trend inside an upward shift) is `concerning`, erring towards a
  comment being asked for. Polarity `none` gives `neutral` for any signal.
- a segment with fewer than `min_points` (default 12) values gets no limits: its points are a
  plain run chart with variation `none`, and the result carries a note saying so.
- assurance compares the target with the latest segment's limits: higher is better — target
  strictly above the upper limit → `fail`, strictly below the lower limit → `pass`, otherwise
  `hit_and_miss`; mirrored when lower is better; `none` without a target, with polarity `none`,
  or when the latest segment has no limits.

Exactness: which side of the mean a point lies, whether it is beyond a limit or in the band,
and the assurance are decided by exact Decimal arithmetic (cross-multiplied, no division), so a
point exactly on the mean or a limit is recognised as such. The reported mean, moving range and
limits are quotients rounded to 28 significant digits; quantize them only when displaying.
The series is taken as evenly spaced: missing periods should be dropped by the caller.

Modules: `limits` (the input, segments and rebasing, exact sums, mean, moving range, limits and
assurance), `signals` (the four rules and each point's variation, `latest_variations`) and
`analysis` (`analyse` and `not_applied`). Callers use the names re-exported here.
"""

from performance.core.spc.analysis import YEAR_TO_DATE_NOTE, SpcResult, analyse, not_applied
from performance.core.spc.limits import LIMIT_FACTOR, MIN_POINTS, Assurance, Segment, SpcInput
from performance.core.spc.signals import SpcPoint, Variation, latest_variations

__all__ = [
    "LIMIT_FACTOR",
    "MIN_POINTS",
    "YEAR_TO_DATE_NOTE",
    "Assurance",
    "Segment",
    "SpcInput",
    "SpcPoint",
    "SpcResult",
    "Variation",
    "analyse",
    "latest_variations",
    "not_applied",
]
