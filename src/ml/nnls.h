// Non-negative least squares: min ||A x - b||₂ subject to x >= 0.
//
// Lawson & Hanson's active-set algorithm (Solving Least Squares Problems, 1974, ch. 23),
// the one scipy.optimize.nnls uses. Debian's Eigen 3.4 has no NNLS module, so it is
// written here on top of Eigen's QR (see docs/dependencies.md).
#pragma once

#include <Eigen/Dense>

namespace diamond::ml {

struct NnlsResult {
  Eigen::VectorXd x;
  int iterations = 0;
  bool converged = false;  // false only if the iteration cap (3·n outer steps) was hit
};

NnlsResult SolveNnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b);

}  // namespace diamond::ml
