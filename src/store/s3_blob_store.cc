#include "store/s3_blob_store.h"

#include <pugixml.hpp>

#include <ctime>
#include <limits>

#include "base/logger.h"

namespace diamond::store {
namespace {

Status Failed(const std::string& what, const S3Response& response) {
  return Status::IoError("S3 " + what + ": " + S3ErrorText(response));
}

// "2026-11-30T08:00:00.000Z" → Unix seconds (0 if malformed).
int64_t ParseIsoTime(const std::string& text) {
  std::tm tm{};
  if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::Open(const std::string& url, size_t part_size) {
  auto location = ParseS3Url(url);
  if (!location.ok()) return location.status();
  auto credentials = CredentialsFromEnvironment();
  if (!credentials.ok()) return credentials.status();
  if (part_size < kMinPartSize) {
    return Status::InvalidArgument("an S3 part must be at least 5 MiB (S3's minimum)");
  }
  std::unique_ptr<S3BlobStore> store(new S3BlobStore(S3Client(*location, *credentials), part_size));
  // A cheap signed request: wrong credentials, a missing bucket or an unreachable
  // endpoint are reported at start, not at the first upload.
  auto probe = store->client_.Send("GET", "", {{"list-type", "2"}, {"max-keys", "1"}}, "");
  if (!probe.ok()) return probe.status();
  if (probe->status != 200) return Failed("bucket " + location->bucket + " does not answer", *probe);
  return store;
}

Status S3BlobStore::Put(const std::string& key, std::string_view bytes) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  const std::string object = ObjectKey(key);
  if (bytes.size() > part_size_) {
    size_t offset = part_size_;
    return PutMultipart(object, std::string(bytes.substr(0, part_size_)), [&](std::string& part) -> Result<bool> {
      if (offset >= bytes.size()) return false;
      part.assign(bytes.substr(offset, part_size_));
      offset += part.size();
      return true;
    });
  }
  auto response = client_.Send("PUT", object, {}, bytes, {{"content-length", std::to_string(bytes.size())}});
  if (!response.ok()) return response.status();
  if (response->status != 200) return Failed("PUT " + key, *response);
  return Status::Ok();
}

Status S3BlobStore::PutMultipart(const std::string& object, std::string first, const PartSource& next) {
  auto created = client_.Send("POST", object, {{"uploads", ""}}, "");
  if (!created.ok()) return created.status();
  if (created->status != 200) return Failed("CreateMultipartUpload " + object, *created);
  pugi::xml_document doc;
  doc.load_buffer(created->body.data(), created->body.size());
  const std::string upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (upload_id.empty()) return Status::IoError("S3 CreateMultipartUpload " + object + ": no UploadId in the answer");

  // Every failure after this point aborts the upload, so its parts do not linger (and cost).
  auto abort = [&](Status failure) {
    auto aborted = client_.Send("DELETE", object, {{"uploadId", upload_id}}, "");
    if (!aborted.ok() || (aborted->status != 204 && aborted->status != 200)) {
      Log(LogLevel::kWarn, "S3 AbortMultipartUpload failed; the bucket's lifecycle rule must remove the parts",
          {{"object", object}, {"upload_id", upload_id}});
    }
    return failure;
  };
  std::string complete = "<CompleteMultipartUpload>";
  int part = 0;
  std::string chunk = std::move(first);
  for (bool more = true; more;) {
    ++part;
    auto uploaded = client_.Send("PUT", object, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}},
                                 chunk, {{"content-length", std::to_string(chunk.size())}});
    if (!uploaded.ok()) return abort(uploaded.status());
    if (uploaded->status != 200) return abort(Failed("UploadPart " + std::to_string(part) + " of " + object, *uploaded));
    const auto etag = uploaded->headers.find("etag");
    if (etag == uploaded->headers.end() || etag->second.empty()) {
      return abort(Status::IoError("S3 UploadPart " + std::to_string(part) + " of " + object + ": no ETag"));
    }
    complete += "<Part><PartNumber>" + std::to_string(part) + "</PartNumber><ETag>" + XmlEscape(etag->second) +
                "</ETag></Part>";
    auto got = next(chunk);
    if (!got.ok()) return abort(got.status());
    more = *got && !chunk.empty();
  }
  complete += "</CompleteMultipartUpload>";
  auto completed = client_.Send("POST", object, {{"uploadId", upload_id}}, complete);
  if (!completed.ok()) return abort(completed.status());
  // S3 may answer 200 and report the failure in the body, once the upload has been
  // assembled: only a CompleteMultipartUploadResult is success.
  pugi::xml_document result;
  result.load_buffer(completed->body.data(), completed->body.size());
  if (completed->status != 200 || !result.child("CompleteMultipartUploadResult")) {
    return abort(Failed("CompleteMultipartUpload " + object, *completed));
  }
  return Status::Ok();
}

Status S3BlobStore::PutFrom(const std::string& key, std::istream& in) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto read_part = [this, &in](std::string& part) -> Result<bool> {
    part.resize(part_size_);
    in.read(part.data(), static_cast<std::streamsize>(part_size_));
    part.resize(static_cast<size_t>(in.gcount()));
    if (in.bad()) return Status::IoError("the stream being stored failed");
    return !part.empty();
  };
  std::string first;
  auto got = read_part(first);
  if (!got.ok()) return got.status();
  // Up to one part: a plain PUT. More: a multipart upload, one part in memory at a time.
  if (first.size() < part_size_ || in.peek() == std::char_traits<char>::eof()) {
    if (in.bad()) return Status::IoError("the stream being stored failed");
    return Put(key, first);
  }
  return PutMultipart(ObjectKey(key), std::move(first), read_part);
}

Status S3BlobStore::GetTo(const std::string& key, std::ostream& out) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("GET", ObjectKey(key), {}, "", {}, &out);
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status != 200) return Failed("GET " + key, *response);
  if (!out) return Status::IoError("the stream reading blob " + key + " failed");
  return Status::Ok();
}

Result<std::string> S3BlobStore::GetRange(const std::string& key, int64_t offset, int64_t length) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  if (offset < 0 || length < 0) return Status::InvalidArgument("a negative range of blob " + key);
  if (length == 0) {  // no Range header can ask for nothing; the blob must still exist
    auto info = Stat(key);
    if (!info.ok()) return info.status();
    return std::string();
  }
  const std::string range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  auto response = client_.Send("GET", ObjectKey(key), {}, "", {{"Range", range}});
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status == 416) return std::string();  // the range starts past the end
  if (response->status == 206) return std::move(response->body);
  // A server that ignores Range sends the whole object.
  if (response->status == 200) {
    std::string& body = response->body;
    if (offset >= static_cast<int64_t>(body.size())) return std::string();
    return body.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  return Failed("GET " + key + " " + range, *response);
}

Result<BlobInfo> S3BlobStore::Stat(const std::string& key) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("HEAD", ObjectKey(key), {}, "");
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status != 200) return Failed("HEAD " + key, *response);
  BlobInfo info{key, 0, 0};
  if (auto length = response->headers.find("content-length"); length != response->headers.end()) {
    info.size = std::stoll("0" + length->second);
  }
  if (auto modified = response->headers.find("last-modified"); modified != response->headers.end()) {
    std::tm tm{};  // RFC 7231: "Mon, 30 Nov 2026 08:00:00 GMT"
    if (strptime(modified->second.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) != nullptr) info.modified_unix = timegm(&tm);
  }
  return info;
}

Result<std::vector<BlobInfo>> S3BlobStore::ListPage(const std::string& prefix, const std::string& start_after,
                                                    size_t limit) const {
  std::vector<BlobInfo> out;
  const std::string& root = client_.location().prefix;
  std::string after = start_after.empty() ? "" : root + start_after;
  while (out.size() < limit) {
    const size_t want = std::min<size_t>(1000, limit - out.size());
    std::vector<std::pair<std::string, std::string>> query = {
        {"list-type", "2"}, {"prefix", root + prefix}, {"max-keys", std::to_string(want)}};
    if (!after.empty()) query.emplace_back("start-after", after);
    auto response = client_.Send("GET", "", query, "");
    if (!response.ok()) return response.status();
    if (response->status != 200) return Failed("ListObjectsV2 " + prefix, *response);
    pugi::xml_document doc;
    if (!doc.load_buffer(response->body.data(), response->body.size())) {
      return Status::IoError("S3 ListObjectsV2 " + prefix + ": the answer is not XML");
    }
    const pugi::xml_node result = doc.child("ListBucketResult");
    size_t seen = 0;
    for (pugi::xml_node item : result.children("Contents")) {
      const std::string key = item.child_value("Key");
      ++seen;
      after = key;
      if (key.compare(0, root.size(), root) != 0 || out.size() >= limit) continue;
      out.push_back(BlobInfo{key.substr(root.size()), std::stoll(std::string("0") + item.child_value("Size")),
                             ParseIsoTime(item.child_value("LastModified"))});
    }
    if (seen == 0 || std::string(result.child_value("IsTruncated")) != "true") break;
  }
  return out;
}

Result<std::string> S3BlobStore::Get(const std::string& key) const {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("GET", ObjectKey(key), {}, "");
  if (!response.ok()) return response.status();
  if (response->status == 404) return Status::NotFound("no blob '" + key + "'");
  if (response->status != 200) return Failed("GET " + key, *response);
  return std::move(response->body);
}

Status S3BlobStore::Delete(const std::string& key) {
  if (!IsValidBlobKey(key)) return Status::InvalidArgument("invalid blob key '" + key + "'");
  auto response = client_.Send("DELETE", ObjectKey(key), {}, "");
  if (!response.ok()) return response.status();
  // 204 on S3 whether or not the object existed; 404 from some compatible servers.
  if (response->status != 204 && response->status != 200 && response->status != 404) {
    return Failed("DELETE " + key, *response);
  }
  return Status::Ok();
}

Result<std::vector<BlobInfo>> S3BlobStore::List(const std::string& prefix) const {
  // Every page: ListPage follows S3's pages (1,000 keys each) until the listing ends.
  return ListPage(prefix, "", std::numeric_limits<size_t>::max());
}

}  // namespace diamond::store
