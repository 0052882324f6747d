// Linear least squares with a free intercept, optionally with non-negative coefficients
// (scikit-learn's LinearRegression(fit_intercept=True, positive=...)).
#pragma once

#include <Eigen/Dense>

namespace diamond::ml {

struct LinearFit {
  double intercept = 0;
  Eigen::VectorXd coefficients;
};

// As sklearn: centre X and y, solve without intercept (minimum-norm least squares, or
// NNLS if `positive`), then intercept = mean(y) - mean(X)·coefficients.
LinearFit FitLinear(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, bool positive);

}  // namespace diamond::ml
