#include "support/test_support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/byte_source.h"
#include "core/diamond_csv.h"
#include "core/grades.h"

namespace diamond::testing {

namespace fs = std::filesystem;

std::vector<Diamond> SyntheticStones(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Diamond> stones(n);
  for (auto& s : stones) {
    s.carat = 0.2 + 2 * u(rng);
    s.cut = static_cast<int>(u(rng) * 6);
    s.color = 10 + static_cast<int>(u(rng) * 13);
    s.clarity = static_cast<int>(u(rng) * 11);
    s.depth = 58 + 6 * u(rng);
    s.table = 53 + 8 * u(rng);
    s.x = 4 + 4 * u(rng);
    s.y = s.x * (0.98 + 0.04 * u(rng));
    s.z = s.x * 0.6;
    s.price = std::exp(8 + std::log(s.carat) * 1.7 + 0.05 * s.clarity + 0.1 * u(rng));
  }
  return stones;
}

std::optional<fs::path> ReferenceCsv() {
  fs::path dir = DIAMOND_SHARED_DATA_DIR;
  if (const char* env = std::getenv("DIAMOND_DATA_DIR")) dir = env;
  fs::path file = dir / "diamonds.csv";
  if (fs::exists(file)) return file;
  return std::nullopt;
}

std::vector<Diamond> LoadReferenceStones() {
  auto path = ReferenceCsv();
  if (!path) throw std::runtime_error("reference data not found");
  std::string text = ReadFile(*path);
  StringSource source(text);
  LoadOptions options;
  options.csv.require_price = true;
  auto table = LoadDiamondsCsv(source, options);
  if (!table.ok()) throw std::runtime_error(table.status().message());
  return table->stones;
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "diamond-test-XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = name.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFile(const fs::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> CsvColumn(const std::string& csv, const std::string& name) {
  std::istringstream lines(csv);
  std::string line, field;
  std::getline(lines, line);
  size_t column = 0;
  bool found = false;
  for (std::istringstream header(line); std::getline(header, field, ','); ++column) {
    if (field == name) {
      found = true;
      break;
    }
  }
  std::vector<std::string> values;
  if (!found) return values;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    for (size_t i = 0; i <= column; ++i) std::getline(fields, field, ',');
    values.push_back(field);
  }
  return values;
}

std::string StonesToCsv(const std::vector<Diamond>& stones) {
  std::string out = "carat,cut,color,clarity,depth,table,price,x,y,z\n";
  char line[512];
  for (const auto& s : stones) {
    std::snprintf(line, sizeof line, "%.17g,%s,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n",
                  s.carat, std::string(GradeName(GradeScale::kCut, s.cut)).c_str(),
                  std::string(GradeName(GradeScale::kColor, s.color)).c_str(),
                  std::string(GradeName(GradeScale::kClarity, s.clarity)).c_str(), s.depth, s.table,
                  s.price.value_or(0), s.x, s.y, s.z);
    out += line;
  }
  return out;
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text) {
  TempDir dir;
  const fs::path in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
  WriteFile(in, stdin_text);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in_fd = ::open(in.c_str(), O_RDONLY);
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

}  // namespace diamond::testing
