"""A member's network exported as files an analyst opens in a spreadsheet, Gephi or
a notebook (docs/exports.md): the tables (table.py), one writer per format
(csv_zip.py, jsonl.py, graphml.py), the run (run.py), its jobs (jobs.py, Celery
tasks.py) and the service functions the API calls (service.py)."""
