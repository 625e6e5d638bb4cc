"""The built-in calendar on PostgreSQL (see `calendar.BuiltinCalendar`)."""
from ehr.builtin.calendar import BuiltinCalendar, slot_for

__all__ = ["BuiltinCalendar", "slot_for"]
