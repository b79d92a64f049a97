"""The case run's tasks by stage (statemachine/case.asl.json): pre-judgment, immediate matters,
department waits, finishing; and the one path that concludes a matter (`conclude.py`)."""
