-- 0003: calls record that the automated-assistant (and, where the clinic records calls, the
-- recording) disclosure was played: a consent event of kind 'call_disclosure' per call.
ALTER TABLE consent_events DROP CONSTRAINT consent_events_kind_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_kind_check
    CHECK (kind IN ('opt_out', 'opt_in', 'call_disclosure'));
