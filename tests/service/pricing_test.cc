// service::Pricing, the one loop behind /predict, OIP inference and price queries: the same
// price with or without an explanation, intervals from the calibration, rows charged before
// any work and given back when a stone cannot be priced, and the phase it spent its time in.
#include "service/pricing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "ml/linear_model.h"
#include "store/file_blob_store.h"
#include "store/sql_metadata_store.h"
#include "support/test_support.h"

namespace diamond::service {
namespace {

// Counts what is reserved and refunded; refuses past `limit`.
class CountingRows : public RowAccount {
 public:
  explicit CountingRows(int64_t limit = 1'000'000) : limit_(limit) {}
  Status Reserve(int64_t rows) override {
    if (reserved + rows > limit_) return Status::QuotaExceeded("rows", limit_, "over the quota");
    reserved += rows;
    return Status::Ok();
  }
  void Refund(int64_t rows) override { reserved -= rows; }
  int64_t reserved = 0;

 private:
  int64_t limit_;
};

std::shared_ptr<const LoadedModel> LinearOnCaratAndCut(double carat_coefficient,
                                                       std::optional<ml::Calibration> calibration) {
  ml::LinearSpec spec;
  spec.selector = {ml::Feature::kCarat, ml::Feature::kCut};
  auto model = std::make_shared<const ml::LinearModel>(
      spec, ml::FitFeatureTransform(testing::SyntheticStones(50, 11)), 7.5,
      std::vector<double>{carat_coefficient, 0.05});
  return std::make_shared<const LoadedModel>(
      LoadedModel{"alice", "m", 3, model, std::move(calibration), 1000});
}

class PricingTest : public ::testing::Test {
 protected:
  PricingTest()
      : metadata_(Opened(store::SqlMetadataStore::OpenSqlite((dir_.path() / "m.db").string()))),
        blobs_(Opened(store::FileBlobStore::Open(dir_.path() / "blobs"))),
        models_(*metadata_, *metadata_, *blobs_, cache_),
        pricing_(models_, [this](int64_t rows) { counted_ += rows; }) {}

  template <typename T>
  static std::unique_ptr<T> Opened(Result<std::unique_ptr<T>> opened) {
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    return std::move(opened).value();
  }

  testing::TempDir dir_;
  std::unique_ptr<store::SqlMetadataStore> metadata_;
  std::unique_ptr<store::FileBlobStore> blobs_;
  ModelCache cache_;
  ModelService models_;
  Pricing pricing_;
  int64_t counted_ = 0;
};

TEST_F(PricingTest, PricesWithAndWithoutExplanationsAreTheSameToTheLastBit) {
  const auto model = LinearOnCaratAndCut(1.0, std::nullopt);
  const auto stones = testing::SyntheticStones(20, 7);
  CountingRows rows;
  RequestPhases phases;
  auto plain = pricing_.Price(model, stones, PricingOptions{}, rows, &phases);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_TRUE(phases.Entered(RequestPhase::kPrice));
  EXPECT_FALSE(phases.Entered(RequestPhase::kExplain));
  RequestPhases explained_phases;
  auto explained =
      pricing_.Price(model, stones, PricingOptions{.explain = true}, rows, &explained_phases);
  ASSERT_TRUE(explained.ok()) << explained.status().message();
  EXPECT_TRUE(explained_phases.Entered(RequestPhase::kExplain));
  EXPECT_FALSE(explained_phases.Entered(RequestPhase::kPrice));

  ASSERT_EQ(plain->prices.size(), stones.size());
  EXPECT_EQ(plain->model->version, 3);
  EXPECT_FALSE(plain->explained);
  EXPECT_TRUE(plain->effects.empty());
  for (size_t i = 0; i < stones.size(); ++i) {
    EXPECT_EQ(plain->prices[i].price, model->model->PredictPrice(stones[i]));
    EXPECT_EQ(explained->prices[i].price, plain->prices[i].price) << i;  // bit for bit
    const auto effects = explained->EffectsOf(i);
    ASSERT_EQ(effects.size(), 2u);
    const double log_price =
        explained->log_base[i] + std::accumulate(effects.begin(), effects.end(), 0.0);
    EXPECT_NEAR(log_price, std::log(plain->prices[i].price), 1e-9);
  }
  EXPECT_EQ(rows.reserved, 40);  // both batches kept
  EXPECT_EQ(counted_, 40);
}

TEST_F(PricingTest, IntervalsComeFromTheCalibrationAndNeedOne) {
  ml::Calibration calibration;
  for (int i = 1; i <= 99; ++i) calibration.residuals.push_back(0.01 * i);
  const auto stones = testing::SyntheticStones(5, 1);
  CountingRows rows;
  auto priced = pricing_.Price(LinearOnCaratAndCut(1.0, calibration), stones,
                               PricingOptions{.interval_level = 0.9}, rows);
  ASSERT_TRUE(priced.ok()) << priced.status().message();
  EXPECT_EQ(priced->interval_level, 0.9);
  const double width = *calibration.HalfWidth(0.9);
  for (const ml::StonePrice& p : priced->prices) {
    EXPECT_DOUBLE_EQ(p.low, p.price * std::exp(-width));
    EXPECT_DOUBLE_EQ(p.high, p.price * std::exp(width));
  }
  // Without a calibration, or at a level it cannot promise: refused before any charge.
  CountingRows untouched;
  std::optional<size_t> unpriceable;
  auto uncalibrated =
      pricing_.Price(LinearOnCaratAndCut(1.0, std::nullopt), stones,
                     PricingOptions{.interval_level = 0.9}, untouched, nullptr, &unpriceable);
  ASSERT_FALSE(uncalibrated.ok());
  EXPECT_FALSE(unpriceable);  // not a stone's fault: callers tell the two errors apart by it
  EXPECT_NE(uncalibrated.status().message().find("no interval calibration"), std::string::npos);
  EXPECT_FALSE(pricing_
                   .Price(LinearOnCaratAndCut(1.0, calibration), stones,
                          PricingOptions{.interval_level = 0.999}, untouched)
                   .ok());
  EXPECT_EQ(untouched.reserved, 0);
}

TEST_F(PricingTest, ARefusedChargeComputesNothingAndAnUnpriceableStoneGivesTheRowsBack) {
  const auto stones = testing::SyntheticStones(10, 2);
  CountingRows small(9);
  RequestPhases phases;
  auto refused = pricing_.Price(LinearOnCaratAndCut(1.0, std::nullopt), stones, PricingOptions{},
                                small, &phases);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kQuotaExceeded);
  EXPECT_FALSE(phases.Entered(RequestPhase::kPrice));  // nothing was computed
  EXPECT_EQ(counted_, 0);

  // A coefficient that overflows exp() for every stone over a carat.
  std::vector<Diamond> batch = {stones[0], stones[1], stones[2]};
  batch[0].carat = 0.4;
  batch[1].carat = 0.5;
  batch[2].carat = 3.0;
  CountingRows rows;
  std::optional<size_t> unpriceable;
  auto overflowed = pricing_.Price(LinearOnCaratAndCut(1e4, std::nullopt), batch, PricingOptions{},
                                   rows, nullptr, &unpriceable);
  ASSERT_FALSE(overflowed.ok());
  EXPECT_EQ(overflowed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unpriceable, std::optional<size_t>(2));
  EXPECT_NE(overflowed.status().message().find("stone 3: the predicted price is out of range"),
            std::string::npos)
      << overflowed.status().message();
  EXPECT_EQ(rows.reserved, 0);  // given back
  EXPECT_EQ(counted_, 0);       // and not counted as priced
}

TEST(RequestPhases, NamesAreTheFixedLabelSetAndTimersAddUp) {
  std::vector<std::string> names;
  for (size_t i = 0; i < kRequestPhaseCount; ++i)
    names.emplace_back(RequestPhaseName(static_cast<RequestPhase>(i)));
  EXPECT_EQ(names, (std::vector<std::string>{"queue_wait", "authorize", "decode", "price",
                                             "explain", "encode"}));
  RequestPhases phases;
  EXPECT_FALSE(phases.Entered(RequestPhase::kDecode));
  { PhaseTimer timer(&phases, RequestPhase::kDecode); }
  { PhaseTimer timer(&phases, RequestPhase::kDecode); }
  phases.Add(RequestPhase::kEncode, 0.25);
  EXPECT_TRUE(phases.Entered(RequestPhase::kDecode));
  EXPECT_GE(phases.Seconds(RequestPhase::kDecode), 0.0);
  EXPECT_EQ(phases.Seconds(RequestPhase::kEncode), 0.25);
  { PhaseTimer nowhere(nullptr, RequestPhase::kPrice); }  // a caller that does not time
  EXPECT_FALSE(phases.Entered(RequestPhase::kPrice));
}

}  // namespace
}  // namespace diamond::service
