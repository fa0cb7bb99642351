"""The web app's routes, one module per area: facts documents, drafts and jobs, evaluation runs."""
