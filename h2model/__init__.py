"""h2model: hydrogen refuelling networks and fuel-cell vehicle fleets.

The flow is ``workbook -> Case -> run(case) -> Results -> charts and reports``:

>>> import h2model
>>> h2model.__version__ >= "0.1"
True
"""

__version__ = "0.1.0"
