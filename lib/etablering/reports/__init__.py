"""One builder per notebook: what a report shows for one area, from the analysis, worded from the
texts beside the notebooks (notebooks/texts/) and ready for the notebook to display; and the
notebooks' parameters, checked before anything runs."""
