"""Pages for people: statements, plan pictures (curves) and team reports, over the API and explanations."""
