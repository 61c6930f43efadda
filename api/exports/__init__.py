"""The API of exports: the startExport mutation and the download route."""
