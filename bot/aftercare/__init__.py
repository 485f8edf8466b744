"""The aftercare course: course data, schedule, enrolment conversation, day messages, service, tick."""
