"""Quality figures: accuracy, weekly trends and the Pareto of causes, and the kept Monthly Quality Reports."""
