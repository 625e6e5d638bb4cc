"""The built-in calendar on PostgreSQL (see `calendar.BuiltinCalendar`)."""
from ehr.builtin.calendar import BuiltinCalendar

__all__ = ["BuiltinCalendar"]
