// The `diamond` command driven as a user drives it: real binary, real files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "core/grades.h"
#include "ml/model_file.h"
#include "support/test_support.h"

namespace diamond {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::RunCommand;
using testing::TempDir;

CommandResult Diamond(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), DIAMOND_BINARY);
  return RunCommand(args, stdin_text);
}

std::vector<diamond::Diamond> SyntheticStones(size_t n) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<diamond::Diamond> stones(n);
  for (auto& s : stones) {
    s.carat = 0.2 + 2 * u(rng);
    s.cut = static_cast<int>(u(rng) * 6);
    s.color = 14 + static_cast<int>(u(rng) * 9);
    s.clarity = 2 + static_cast<int>(u(rng) * 8);
    s.depth = 58 + 6 * u(rng);
    s.table = 53 + 8 * u(rng);
    s.x = 4 + 4 * u(rng);
    s.y = s.x * (0.98 + 0.04 * u(rng));
    s.z = s.x * 0.6;
    s.price = std::round(std::exp(8 + 1.7 * std::log(s.carat) + 0.06 * s.clarity + 0.1 * u(rng)));
  }
  return stones;
}

size_t CountLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_ / "train.csv", testing::StonesToCsv(SyntheticStones(400)));
    CommandResult r = Diamond({"train", "--data", (dir_ / "train.csv").string(), "--positive", "-o",
                               (dir_ / "model.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  // Only the files the test made: no stray temporary outputs.
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_.path())) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  TempDir dir_;
};

TEST_F(CliTest, TrainReportsMetricsAndWritesASelfDescribingModel) {
  CommandResult r =
      Diamond({"train", "--data", Path("train.csv"), "--features", "carat,clarity,volume",
               "--holdout", "0.25", "--seed", "3", "-o", Path("m2.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("holdout"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MAPE"), std::string::npos) << r.out;
  auto doc = nlohmann::json::parse(testing::ReadFile(dir_ / "m2.json"));
  EXPECT_EQ(doc["pipeline"]["selector"], nlohmann::json({"carat", "clarity", "volume"}));
  EXPECT_EQ(doc["training"]["validation"]["fraction"], 0.25);
  EXPECT_EQ(doc["training"]["validation"]["seed"], 3);
  EXPECT_EQ(doc["training"]["metrics"]["validation"]["rows"], 100);
  EXPECT_EQ(doc["training"]["data"]["rows"], 400);
  EXPECT_EQ(doc["training"]["data"]["sha256"].get<std::string>().size(), 64u);
}

TEST_F(CliTest, PredictAddsAPriceColumnMatchingTheModel) {
  testing::WriteFile(dir_ / "in.csv",
                     "id,carat,cut,color,clarity,depth,table,x,y,z\r\n"
                     "a,0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\r\n"
                     "\"b,2\",1.5,Premium,G,SI1,62,58,7.3,7.31,4.5\r\n");
  CommandResult r = Diamond(
      {"predict", "--model", Path("model.json"), "--input", Path("in.csv"), "-o", Path("out.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = testing::ReadFile(dir_ / "out.csv");
  ASSERT_EQ(CountLines(out), 3u) << out;
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "id,carat,cut,color,clarity,depth,table,x,y,z,price_predicted");

  auto model = ml::ParseModelFile(testing::ReadFile(dir_ / "model.json"));
  ASSERT_TRUE(model.ok());
  diamond::Diamond stone{1.5, 4, 19, 4, 62, 58, 7.3, 7.31, 4.5, std::nullopt};
  char expected[64];
  std::snprintf(expected, sizeof expected, "\"b,2\",1.5,Premium,G,SI1,62,58,7.3,7.31,4.5,%.2f\n",
                model->model->PredictPrice(stone));
  EXPECT_TRUE(out.ends_with(expected)) << out;
}

TEST_F(CliTest, PredictStreamsStdinToStdout) {
  CommandResult r = Diamond({"predict", "--model", Path("model.json")},
                            "carat,cut,color,clarity,depth,table,x,y,z\n"
                            "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountLines(r.out), 2u);
  EXPECT_TRUE(r.out.starts_with("carat,cut,color,clarity,depth,table,x,y,z,price_predicted\n"));
}

struct BadInput {
  const char* name;
  const char* csv;
  const char* expected;  // the whole error line after "diamond predict: error: <file>: "
};

void PrintTo(const BadInput& input, std::ostream* os) { *os << input.name; }

class CliBadInput : public CliTest, public ::testing::WithParamInterface<BadInput> {};

TEST_P(CliBadInput, OneLineWithRowAndColumnExitTwoAndNoOutputFile) {
  testing::WriteFile(dir_ / "bad.csv", GetParam().csv);
  const auto before = Files();
  CommandResult r = Diamond({"predict", "--model", Path("model.json"), "--input", Path("bad.csv"),
                             "-o", Path("out.csv")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "diamond predict: error: " + Path("bad.csv") + ": " + GetParam().expected + "\n");
  EXPECT_EQ(Files(), before) << "no output (or temporary) file may be left behind";
  // Cut into a chunk per record and priced on three threads: the same error, line and row.
  for (const char* chunk_bytes : {"1", "40"}) {
    CommandResult chunked =
        Diamond({"predict", "--model", Path("model.json"), "--input", Path("bad.csv"), "-o",
                 Path("out.csv"), "--threads", "3", "--chunk-bytes", chunk_bytes});
    EXPECT_EQ(chunked.exit_code, 2);
    EXPECT_EQ(chunked.err, r.err) << "chunks of " << chunk_bytes << " bytes";
    EXPECT_EQ(Files(), before);
  }
}

constexpr char kPredictHeader[] = "carat,cut,color,clarity,depth,table,x,y,z\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadInput{"unknown_grade",
                 "carat,cut,color,clarity,depth,table,x,y,z\n"
                 "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n"
                 "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n"
                 "0.3,Superb,E,VS2,61.5,55,4.3,4.31,2.65\n",
                 "line 4 (row 3), column 'cut': unknown grade 'Superb' (allowed: Poor, Fair, "
                 "Good, Very Good, Premium, Ideal)"},
        BadInput{"text_in_number",
                 "carat,cut,color,clarity,depth,table,x,y,z\n"
                 "0.3,Ideal,E,VS2,sixty,55,4.3,4.31,2.65\n",
                 "line 2 (row 1), column 'depth': not a number: 'sixty'"},
        BadInput{"missing_column",
                 "carat,cut,color,depth,table,x,y,z\n"
                 "0.3,Ideal,E,61.5,55,4.3,4.31,2.65\n",
                 "the header has no column clarity"},
        BadInput{"unpriceable_carat",
                 "carat,cut,color,clarity,depth,table,x,y,z\n"
                 "0,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n",
                 "line 2 (row 1), column 'carat': carat must be greater than 0 to be priced"},
        BadInput{"unpriceable_dimension",
                 "carat,cut,color,clarity,depth,table,x,y,z\n"
                 "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,0.0\n",
                 "line 2 (row 1), column 'z': z must be at least 0.1 mm to be priced"},
        BadInput{"unclosed_quote",
                 "carat,cut,color,clarity,depth,table,x,y,z\n"
                 "0.3,\"Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n",
                 "line 2: a quoted field is never closed"},
        BadInput{"empty", "", "the input is empty: no header row"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(CliTest, SkipInvalidLeavesBadRowsOutAndCountsThem) {
  testing::WriteFile(dir_ / "mixed.csv", std::string(kPredictHeader) +
                                             "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n"
                                             "0.3,Fine,E,VS2,61.5,55,4.3,4.31,2.65\n"
                                             "0.3,Ideal,E,VS2,61.5,55,4.3,4.31,0\n"
                                             "0.4,Ideal,E,VS2,61.5,55,4.3,4.31,2.65\n");
  CommandResult r = Diamond({"predict", "--model", Path("model.json"), "--input", Path("mixed.csv"),
                             "--skip-invalid", "-o", Path("out.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountLines(testing::ReadFile(dir_ / "out.csv")), 3u);
  EXPECT_NE(r.err.find("skipped 2 invalid row(s)"), std::string::npos) << r.err;
}

// The parallel pricer cuts the input between records; nothing about the output may depend
// on where: quoted fields with commas and line breaks, CRLF, a byte-order mark, blank
// lines, skipped rows, explanations and intervals — byte for byte what one thread writes.
TEST_F(CliTest, PredictOutputIsTheSameForAnyThreadCountAndChunkSize) {
  std::string csv = "\xEF\xBB\xBF\r\nnote,carat,cut,color,clarity,depth,table,x,y,z\r\n";
  std::mt19937_64 rng(5);
  const auto stones = SyntheticStones(700);
  for (size_t i = 0; i < stones.size(); ++i) {
    const auto& s = stones[i];
    std::string note = i % 3 == 0 ? "\"line one\nline \"\"two\"\", with comma\"" : "plain";
    if (i % 50 == 7) csv += "\r\n";                           // a blank line
    std::string z = i % 97 == 3 ? "0" : std::to_string(s.z);  // unpriceable: skipped
    csv += note + "," + std::to_string(s.carat) + "," +
           std::string(GradeName(GradeScale::kCut, s.cut)) + "," +
           std::string(GradeName(GradeScale::kColor, s.color)) + "," +
           std::string(GradeName(GradeScale::kClarity, s.clarity)) + "," + std::to_string(s.depth) +
           "," + std::to_string(s.table) + "," + std::to_string(s.x) + "," + std::to_string(s.y) +
           "," + z + (i % 2 ? "\r\n" : "\n");
  }
  testing::WriteFile(dir_ / "hostile.csv", csv);
  CommandResult train = Diamond({"train", "--data", Path("train.csv"), "--algorithm", "gbdt",
                                 "--param", "n_estimators=20", "-o", Path("trees.json")});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  auto run = [&](const std::string& threads, const std::string& chunk_bytes) {
    CommandResult r = Diamond({"predict", "--model", Path("trees.json"), "--input",
                               Path("hostile.csv"), "--skip-invalid", "--explain", "--interval",
                               "0.9", "--threads", threads, "--chunk-bytes", chunk_bytes});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  const CommandResult one = run("1", "1048576");
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = one.out.find(needle); at != std::string::npos;
         at = one.out.find(needle, at + 1))
      ++n;
    return n;
  };
  ASSERT_EQ(count("\"line one\n") + count("\nplain,"), 700 - 8u)
      << one.err;  // rows 4, 101, ... skipped
  EXPECT_NE(
      one.err.find("skipped 8 invalid row(s); first: " + Path("hostile.csv") + ": line 7 (row 4)"),
      std::string::npos)
      << one.err;
  for (auto [threads, chunk] : std::vector<std::pair<std::string, std::string>>{
           {"1", "1"}, {"2", "1"}, {"3", "97"}, {"4", "1000"}, {"2", "65536"}, {"8", "4096"}}) {
    const CommandResult other = run(threads, chunk);
    EXPECT_TRUE(other.out == one.out) << threads << " threads, chunks of " << chunk << " bytes";
    EXPECT_EQ(other.err, one.err) << threads << " threads, chunks of " << chunk << " bytes";
  }
}

TEST_F(CliTest, TrainRejectsBadRowsWithTheirCount) {
  testing::WriteFile(dir_ / "bad_train.csv",
                     testing::StonesToCsv(SyntheticStones(5)) +
                         "1,Ideal,E,VS2,61,55,,4,4,2.5\n1,Ideal,E,VS2,61,55,900,4,4,2.5,extra\n"
                         "1,Ideal,Q2,VS2,61,55,900,4,4,2.5\n");
  CommandResult r = Diamond({"train", "--data", Path("bad_train.csv"), "-o", Path("m.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "diamond train: error: " + Path("bad_train.csv") +
                       ": line 7 (row 6), column 'price': missing price (2 invalid rows in all; "
                       "--skip-invalid keeps the valid ones)\n");
  EXPECT_FALSE(fs::exists(dir_ / "m.json"));
}

TEST_F(CliTest, EvaluateScoresAModel) {
  CommandResult r =
      Diamond({"evaluate", "--model", Path("model.json"), "--data", Path("train.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("evaluation        400"), std::string::npos) << r.out;
}

TEST_F(CliTest, MonotoneCheckPassesDefaultTreesAndFailsAPriceThatFallsWithClarity) {
  CommandResult trees = Diamond({"train", "--data", Path("train.csv"), "--algorithm", "gbdt",
                                 "--param", "n_estimators=60", "-o", Path("trees.json")});
  ASSERT_EQ(trees.exit_code, 0) << trees.err;
  // Probed on the 320 rows it was fitted on (the other 80 are the holdout).
  EXPECT_NE(trees.out.find("monotonicity: 0 price drops in 15040 one-step upgrades of 320 stones"),
            std::string::npos)
      << trees.out;
  CommandResult checked = Diamond(
      {"evaluate", "--model", Path("trees.json"), "--data", Path("train.csv"), "--monotone-check"});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("monotonicity: 0 price drops"), std::string::npos) << checked.out;

  // Stones whose price falls as clarity improves: an unconstrained linear fit follows them.
  std::vector<diamond::Diamond> stones = SyntheticStones(400);
  for (auto& s : stones) s.price = std::round(5000 * s.carat * std::exp(-0.1 * s.clarity));
  testing::WriteFile(dir_ / "odd.csv", testing::StonesToCsv(stones));
  ASSERT_EQ(Diamond({"train", "--data", Path("odd.csv"), "--features", "carat,clarity", "-o",
                     Path("odd.json")})
                .exit_code,
            0);
  CommandResult failed = Diamond(
      {"evaluate", "--model", Path("odd.json"), "--data", Path("odd.csv"), "--monotone-check"});
  EXPECT_EQ(failed.exit_code, 3) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("clarity 4000/4000 (worst -9.52%)"), std::string::npos) << failed.out;
}

TEST_F(CliTest, CrossValidationScoresEveryModelOnTheSameFolds) {
  ASSERT_EQ(Diamond({"train", "--data", Path("train.csv"), "--features", "carat", "-o",
                     Path("carat.json")})
                .exit_code,
            0);
  CommandResult r =
      Diamond({"evaluate", "--model", Path("model.json"), "--model", Path("carat.json"), "--model",
               Path("model.json"), "--data", Path("train.csv"), "--cv", "4", "--repeats", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cross-validation: 2 x 4 folds on 400 rows (seed 42); mean ± standard error "
                       "over 8 folds"),
            std::string::npos)
      << r.out;
  // Each model's line; the same model twice scores the same on every fold (ratio exactly 1).
  std::vector<std::string> lines;
  std::stringstream out(r.out);
  for (std::string line; std::getline(out, line);) {
    if (line.find(".json") != std::string::npos) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_TRUE(lines[0].ends_with("1.000 ± 0.000")) << lines[0];
  EXPECT_TRUE(lines[2].ends_with("1.000 ± 0.000")) << lines[2];
  EXPECT_EQ(lines[0], lines[2]);
  // Carat alone misses clarity's share of the price: a larger error, fold by fold.
  EXPECT_FALSE(lines[1].ends_with("1.000 ± 0.000")) << lines[1];

  EXPECT_EQ(Diamond({"evaluate", "--model", Path("model.json"), "--data", Path("train.csv"), "--cv",
                     "11"})
                .exit_code,
            2);
  EXPECT_EQ(Diamond({"evaluate", "--model", Path("model.json"), "--data", Path("train.csv"),
                     "--repeats", "3"})
                .exit_code,
            2);
}

TEST_F(CliTest, DamagedModelFileIsACleanError) {
  testing::WriteFile(dir_ / "broken.json", "{\"format\": \"diamond-model\"");
  CommandResult r = Diamond({"predict", "--model", Path("broken.json")}, kPredictHeader);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "diamond predict: error: " + Path("broken.json") +
                       ": invalid model file: not valid JSON\n");
}

TEST_F(CliTest, HelpAndUsageErrors) {
  for (const char* command : {"train", "predict", "evaluate"}) {
    CommandResult help = Diamond({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("--model") + help.out.find("--data"), 2 * std::string::npos) << command;
  }
  EXPECT_EQ(Diamond({}).exit_code, 2);
  EXPECT_EQ(Diamond({"train", "--data", Path("train.csv")}).exit_code, 2);  // no -o
  EXPECT_EQ(
      Diamond({"train", "--data", Path("train.csv"), "--holdout", "1.5", "-o", Path("x.json")})
          .exit_code,
      2);
  CommandResult features = Diamond(
      {"train", "--data", Path("train.csv"), "--features", "carat,weight", "-o", Path("x.json")});
  EXPECT_EQ(features.exit_code, 2);
  EXPECT_NE(features.err.find("unknown feature 'weight'"), std::string::npos) << features.err;
  EXPECT_FALSE(fs::exists(dir_ / "x.json"));
}

// The issue's acceptance check: the seed's chosen model on the reference data.
TEST(CliReference, SeedModelHasHoldoutR2AboveNinety) {
  auto csv = testing::ReferenceCsv();
  if (!csv) GTEST_SKIP() << "reference data not found: not checked";
  TempDir dir;
  CommandResult r = Diamond({"train", "--data", csv->string(), "--features",
                             "carat,cut,color,clarity", "--positive", "--holdout", "0.2", "--seed",
                             "42", "-o", (dir / "model.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(testing::ReadFile(dir / "model.json"));
  EXPECT_GT(doc["training"]["metrics"]["validation"]["r2"].get<double>(), 0.9);
  EXPECT_EQ(doc["training"]["cleaning"]["rows_dropped"], 11);
  EXPECT_EQ(doc["training"]["data"]["rows"], 5000);
  EXPECT_NE(
      r.out.find("11 dropped by cleaning (price <= 0: 10, x < 0.1: 1, y < 0.1: 1, z < 0.1: 1)"),
      std::string::npos)
      << r.out;

  // Every one of the 5000 rows goes through predict with --skip-invalid: 4999 priceable.
  CommandResult p = Diamond({"predict", "--model", (dir / "model.json").string(), "--input",
                             csv->string(), "--skip-invalid", "-o", (dir / "out.csv").string()});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(CountLines(testing::ReadFile(dir / "out.csv")), 5000u);  // header + 4999
}

TEST_F(CliTest, TreesTrainWithProgressAndPredictWithExplanationsAndIntervals) {
  CommandResult trained =
      Diamond({"train", "--data", Path("train.csv"), "--algorithm", "gbdt", "--param",
               "n_estimators=80", "--param", "max_depth=3", "-o", Path("trees.json")});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.out.find("model: gbdt on log(price)"), std::string::npos) << trained.out;
  EXPECT_NE(trained.out.find("interval: 90% of unseen stones"), std::string::npos) << trained.out;
  testing::WriteFile(dir_ / "in.csv",
                     "carat,cut,color,clarity,depth,table,x,y,z\n"
                     "1.5,Premium,G,SI1,62,58,7.3,7.31,4.5\n");
  CommandResult priced = Diamond({"predict", "--model", Path("trees.json"), "--input",
                                  Path("in.csv"), "--explain", "--interval", "0.8"});
  ASSERT_EQ(priced.exit_code, 0) << priced.err;
  const std::string header = priced.out.substr(0, priced.out.find('\n'));
  EXPECT_TRUE(
      header.starts_with("carat,cut,color,clarity,depth,table,x,y,z,price_predicted,"
                         "price_low,price_high,base_price,factor_carat,factor_cut,"))
      << header;
  // The factors multiply back to the price (which the CSV rounds to cents).
  std::vector<double> cells;
  std::stringstream row(priced.out.substr(priced.out.find('\n') + 1));
  size_t column = 0;
  for (std::string cell; std::getline(row, cell, ','); ++column) {
    if (column == 0 || column >= 4) cells.push_back(std::stod(cell));  // not the grades
  }
  // 6 numeric inputs, price/low/high, base, one factor per default tree feature.
  ASSERT_EQ(cells.size(), 6u + 3u + 1u + ml::DefaultGbdtSelector().size());
  const double price = cells[6], low = cells[7], high = cells[8];
  double product = cells[9];
  for (size_t i = 10; i < cells.size(); ++i) product *= cells[i];
  EXPECT_NEAR(product, price, 0.005 + 1e-9 * price);
  EXPECT_LT(low, price);
  EXPECT_GT(high, price);

  CommandResult bad = Diamond({"train", "--data", Path("train.csv"), "--algorithm", "gbdt",
                               "--param", "max_depth=99", "-o", Path("x.json")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("max_depth"), std::string::npos) << bad.err;
  CommandResult no_calibration =
      Diamond({"train", "--data", Path("train.csv"), "--holdout", "0", "-o", Path("nocal.json")});
  ASSERT_EQ(no_calibration.exit_code, 0);
  CommandResult refused = Diamond(
      {"predict", "--model", Path("nocal.json"), "--input", Path("in.csv"), "--interval", "0.9"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("no interval calibration"), std::string::npos) << refused.err;
}

TEST_F(CliTest, GridSearchPrintsTheCvTableAndKeepsTheBest) {
  CommandResult searched =
      Diamond({"train", "--data", Path("train.csv"), "--grid", "selector=cut,carat+clarity",
               "--folds", "3", "-o", Path("searched.json")});
  ASSERT_EQ(searched.exit_code, 0) << searched.err;
  EXPECT_NE(searched.out.find(R"({"selector":["carat","clarity"]})"), std::string::npos)
      << searched.out;
  EXPECT_EQ(
      nlohmann::json::parse(testing::ReadFile(dir_ / "searched.json"))["pipeline"]["selector"],
      nlohmann::json({"carat", "clarity"}));
  EXPECT_EQ(Diamond({"train", "--data", Path("train.csv"), "--grid", "selector=carat+weight", "-o",
                     Path("x.json")})
                .exit_code,
            2);
  searched = Diamond({"train", "--data", Path("train.csv"), "--algorithm", "gbdt", "--param",
                      "n_estimators=40", "--grid", "max_depth=1,3", "--grid",
                      "learning_rate=0.01,0.3", "--folds", "3", "-o", Path("searched.json")});
  ASSERT_EQ(searched.exit_code, 0) << searched.err;
  EXPECT_NE(searched.out.find("search: 4 candidates x 3 folds, best by mae"), std::string::npos)
      << searched.out;
  auto model = nlohmann::json::parse(testing::ReadFile(dir_ / "searched.json"));
  EXPECT_EQ(model["training"]["search"]["candidates"].size(), 4u);
  EXPECT_EQ(model["gbdt"]["hyperparameters"]["learning_rate"], 0.3);
}

}  // namespace
}  // namespace diamond
