#include "ml/linear_regression.h"

#include "ml/nnls.h"

namespace diamond::ml {

LinearFit FitLinear(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, bool positive) {
  const Eigen::RowVectorXd x_mean = x.colwise().mean();
  const double y_mean = y.mean();
  const Eigen::MatrixXd xc = x.rowwise() - x_mean;
  const Eigen::VectorXd yc = y.array() - y_mean;

  LinearFit fit;
  if (positive) {
    fit.coefficients = SolveNnls(xc, yc).x;
  } else {
    // Complete orthogonal decomposition gives the minimum-norm solution when columns are
    // dependent, as LAPACK's gelsd does for sklearn.
    fit.coefficients = xc.completeOrthogonalDecomposition().solve(yc);
  }
  fit.intercept = y_mean - x_mean.dot(fit.coefficients);
  return fit;
}

}  // namespace diamond::ml
