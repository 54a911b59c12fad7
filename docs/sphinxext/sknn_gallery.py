"""The order of the gallery: the course's, from a first model to model selection."""

EXAMPLES = [
    "plot_quickstart.py",
    "plot_cat_vs_noncat.py",
    "plot_cnn_digits.py",
    "plot_regression.py",
    "plot_tensor_scaler_pipeline.py",
    "plot_normalization_comparison.py",
    "plot_train_validation_test.py",
    "plot_own_network.py",
    "plot_sequences.py",
    "plot_deploy.py",
]


class CourseOrder:
    """Sort key of sphinx-gallery's ``within_subsection_order``: the examples
    above in that order, any other after them by file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in EXAMPLES:
            return (EXAMPLES.index(filename), filename)
        return (len(EXAMPLES), filename)

    def __repr__(self):
        return f"<{type(self).__name__}>"
