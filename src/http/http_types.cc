#include "http/http_types.h"

#include <algorithm>
#include <cctype>

namespace diamond::http {

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

const std::string& HttpRequest::Param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  static const std::string kEmpty;
  return kEmpty;
}

std::string HttpRequest::MediaType() const {
  auto type = Header("content-type");
  if (!type) return "";
  std::string out(type->substr(0, type->find(';')));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  return out;
}

HttpResponse Later(std::function<void(HttpResponse::Respond)> start) {
  HttpResponse response;
  response.later = std::move(start);
  return response;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

bool ReadWholeBody(HttpResponse* response) {
  if (!response->streamed) return true;
  const auto streamed = std::move(response->streamed);
  response->body.clear();
  response->body.reserve(static_cast<size_t>(streamed->size));
  std::string piece;
  while (static_cast<int64_t>(response->body.size()) < streamed->size) {
    const auto left =
        static_cast<size_t>(streamed->size - static_cast<int64_t>(response->body.size()));
    if (!streamed->read(std::min<size_t>(left, size_t{1} << 20), &piece) || piece.empty() ||
        piece.size() > left) {
      return false;
    }
    response->body += piece;
  }
  return true;
}

bool PercentDecode(std::string_view text, std::string* out) {
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;  // needs two hex digits
    const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool ParseQueryString(std::string_view text,
                      std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view part = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key, value;
    std::string raw_value(eq == std::string_view::npos ? "" : part.substr(eq + 1));
    for (char& c : raw_value) {
      if (c == '+') c = ' ';
    }
    if (!PercentDecode(part.substr(0, eq), &key) || !PercentDecode(raw_value, &value)) return false;
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace diamond::http
