"""Safety and compliance: sanitizer, consent keywords, PII (Presidio, offline), crisis, content filters.

The composition root builds one :class:`SafetyPipeline` and passes it in; the engine calls ``check_input`` /
``check_output``.
"""

from .consent import classify_sms_keyword, disclosure
from .crisis import CrisisAssessment, CrisisDetector, Severity, crisis_response
from .pii import NEVER_NEEDED, PIIDetector, PIIFinding, RedactedText, get_detector
from .pipeline import Action, InputVerdict, OutputVerdict, SafetyPipeline
from .sanitizer import Sanitizer, SanitizedText

__all__ = [
    "Action", "CrisisAssessment", "CrisisDetector", "InputVerdict", "NEVER_NEEDED", "OutputVerdict",
    "PIIDetector", "PIIFinding", "RedactedText", "SafetyPipeline", "SanitizedText", "Sanitizer", "Severity",
    "classify_sms_keyword", "crisis_response", "disclosure", "get_detector",
]
