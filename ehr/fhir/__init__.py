"""FHIR R4 EHR adapters: shared SMART Backend Services auth, REST client and resource mapping, and the
Epic and Oracle Health (Cerner Millennium) dialects built on them."""
