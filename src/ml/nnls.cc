#include "ml/nnls.h"

#include <cmath>
#include <limits>
#include <vector>

namespace diamond::ml {
namespace {

// Least squares restricted to the columns in `passive`; other entries are 0.
Eigen::VectorXd SolveOnPassiveSet(const Eigen::MatrixXd& a, const Eigen::VectorXd& b,
                                  const std::vector<bool>& passive) {
  std::vector<Eigen::Index> cols;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    if (passive[static_cast<size_t>(j)]) cols.push_back(j);
  }
  Eigen::MatrixXd sub(a.rows(), static_cast<Eigen::Index>(cols.size()));
  for (size_t k = 0; k < cols.size(); ++k) sub.col(static_cast<Eigen::Index>(k)) = a.col(cols[k]);
  Eigen::VectorXd z_sub = sub.colPivHouseholderQr().solve(b);
  Eigen::VectorXd z = Eigen::VectorXd::Zero(a.cols());
  for (size_t k = 0; k < cols.size(); ++k) z(cols[k]) = z_sub(static_cast<Eigen::Index>(k));
  return z;
}

}  // namespace

NnlsResult SolveNnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b) {
  const Eigen::Index n = a.cols();
  NnlsResult result;
  result.x = Eigen::VectorXd::Zero(n);
  std::vector<bool> passive(static_cast<size_t>(n), false);
  // A gradient entry below this is numerically zero (scipy uses the same scale).
  const double tol = 10.0 * std::numeric_limits<double>::epsilon() *
                     a.cwiseAbs().colwise().sum().maxCoeff() *
                     static_cast<double>(std::max(a.rows(), n));
  const int max_outer = static_cast<int>(3 * n) + 3;

  Eigen::VectorXd& x = result.x;
  Eigen::VectorXd w = a.transpose() * (b - a * x);
  while (result.iterations < max_outer) {
    // Pick the most promising variable still held at zero.
    Eigen::Index best = -1;
    double best_w = tol;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!passive[static_cast<size_t>(j)] && w(j) > best_w) {
        best_w = w(j);
        best = j;
      }
    }
    if (best < 0) {
      result.converged = true;
      return result;
    }
    ++result.iterations;
    passive[static_cast<size_t>(best)] = true;

    Eigen::VectorXd z = SolveOnPassiveSet(a, b, passive);
    // Inner loop: step back towards x until every passive variable is positive.
    for (int inner = 0; inner < 3 * n + 3; ++inner) {
      double alpha = std::numeric_limits<double>::infinity();
      for (Eigen::Index j = 0; j < n; ++j) {
        if (passive[static_cast<size_t>(j)] && z(j) <= 0) {
          alpha = std::min(alpha, x(j) / (x(j) - z(j)));
        }
      }
      if (!std::isfinite(alpha)) break;  // all positive
      x += alpha * (z - x);
      for (Eigen::Index j = 0; j < n; ++j) {
        if (passive[static_cast<size_t>(j)] && x(j) <= tol) {
          passive[static_cast<size_t>(j)] = false;
          x(j) = 0;
        }
      }
      z = SolveOnPassiveSet(a, b, passive);
    }
    x = z;
    w = a.transpose() * (b - a * x);
  }
  return result;
}

}  // namespace diamond::ml
