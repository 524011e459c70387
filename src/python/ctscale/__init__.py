"""ctscale's Python side: read the results files ctscale-mpi writes, and the scaling report
across them (the ctscale-report program).

    import ctscale
    r = ctscale.load_results("results.h5")      # tables as pandas DataFrames, text decoded
    r.fits.head(); r.attrs["total_params"]
    report = ctscale.load_report("report/report.h5")
    report["scaling_fits"]
"""
from .errors import CtscaleError, UsageError
from .report_file import load_report
from .results import Results, load_results

try:
    from ._version import __version__
except ImportError:  # imported from the source tree rather than a build or an install
    __version__ = "0+source"

__all__ = ["CtscaleError", "UsageError", "Results", "load_results", "load_report", "__version__"]
