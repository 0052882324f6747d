#include "ml/nnls.h"

#include <gtest/gtest.h>

#include <random>

namespace diamond::ml {
namespace {

// The Karush–Kuhn–Tucker conditions of min ||Ax - b||² s.t. x >= 0, with w = Aᵀ(b - Ax):
// x >= 0; w <= 0 where x = 0; w = 0 where x > 0.
void ExpectKkt(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& x) {
  const Eigen::VectorXd w = a.transpose() * (b - a * x);
  const double scale = (a.transpose() * b).cwiseAbs().maxCoeff() + 1.0;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    EXPECT_GE(x(j), 0.0) << "coefficient " << j;
    if (x(j) > 0) {
      EXPECT_NEAR(w(j), 0.0, 1e-9 * scale) << "gradient of active coefficient " << j;
    } else {
      EXPECT_LE(w(j), 1e-9 * scale) << "gradient of zero coefficient " << j;
    }
  }
}

TEST(Nnls, SatisfiesKktOnRandomProblems) {
  std::mt19937_64 rng(1234);
  std::normal_distribution<double> normal;
  int problems_with_both_kinds = 0;
  for (int trial = 0; trial < 50; ++trial) {
    const Eigen::Index m = 20 + trial, n = 2 + trial % 9;
    Eigen::MatrixXd a(m, n);
    Eigen::VectorXd b(m);
    for (Eigen::Index i = 0; i < m; ++i) {
      for (Eigen::Index j = 0; j < n; ++j) a(i, j) = normal(rng);
      b(i) = normal(rng);
    }
    NnlsResult result = SolveNnls(a, b);
    EXPECT_TRUE(result.converged);
    ExpectKkt(a, b, result.x);
    if ((result.x.array() > 0).any() && (result.x.array() == 0).any()) ++problems_with_both_kinds;
  }
  // The test must exercise both active and clamped coefficients to mean anything.
  EXPECT_GT(problems_with_both_kinds, 10);
}

TEST(Nnls, EqualsLeastSquaresWhenThatIsAlreadyPositive) {
  Eigen::MatrixXd a(4, 2);
  a << 1, 0, 0, 1, 1, 1, 2, 1;
  const Eigen::VectorXd truth = Eigen::Vector2d(2.0, 3.0);
  const Eigen::VectorXd b = a * truth;
  NnlsResult result = SolveNnls(a, b);
  EXPECT_NEAR(result.x(0), 2.0, 1e-12);
  EXPECT_NEAR(result.x(1), 3.0, 1e-12);
}

TEST(Nnls, ClampsANegativeCoefficientToZero) {
  Eigen::MatrixXd a(3, 2);
  a << 1, 0, 0, 1, 0, 0;
  Eigen::VectorXd b(3);
  b << 5, -4, 0;
  NnlsResult result = SolveNnls(a, b);
  EXPECT_NEAR(result.x(0), 5.0, 1e-12);
  EXPECT_EQ(result.x(1), 0.0);
  ExpectKkt(a, b, result.x);
}

TEST(Nnls, AllZeroWhenEverythingPointsAway) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(3, 3);
  Eigen::VectorXd b = -Eigen::VectorXd::Ones(3);
  EXPECT_EQ(SolveNnls(a, b).x, Eigen::VectorXd::Zero(3));
}

}  // namespace
}  // namespace diamond::ml
