"""Clinic insights: the /stats chart, unanswered questions grouped, FAQ suggestions; pure."""
