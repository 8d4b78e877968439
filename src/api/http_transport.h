// The server connection's byte stream, plain TCP or TLS, behind one type.
// Included by api/http_server.cc alone: it brings in Boost.Beast and Asio.
//
// Why: Beast's HTTP operations are templates over the stream and over each
// completion handler. Over two stream types every read and write was
// compiled twice, and the TLS copies nest three operations deep: the server
// took 80 s to compile with g++ and 3 minutes under AddressSanitizer. Over
// HttpTransport the HTTP code is compiled once, and only "read some bytes"
// and "write some bytes" are compiled per stream, with one handler type
// (Completion). The price, a heap block per read or write, is small beside
// a request.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace zg::api {

class HttpTransport {
  using error_code = boost::beast::error_code;
  using const_buffer = boost::asio::const_buffer;
  using mutable_buffer = boost::asio::mutable_buffer;
  using TcpStream = boost::beast::tcp_stream;
  using TlsStream = boost::beast::ssl_stream<TcpStream>;

 public:
  using executor_type = boost::asio::any_io_executor;

  // Any completion handler, moved to the heap behind one type. It keeps
  // the handler alone: an associated executor, allocator or cancellation
  // slot is dropped, so it runs on the socket's executor (the connection's
  // I/O thread). The session's handlers have none of these. (Never built from
  // a Completion: that would wrap it in itself, not copy it.)
  class Completion {
   public:
    template <class Handler,
              class = std::enable_if_t<!std::is_same_v<std::decay_t<Handler>, Completion>>>
    explicit Completion(Handler&& handler)
        : held_(std::make_unique<Held<std::decay_t<Handler>>>(std::forward<Handler>(handler))) {}
    void operator()(error_code ec, size_t bytes) { held_.release()->finish(ec, bytes); }

   private:
    struct Base {
      virtual ~Base() = default;
      virtual void finish(error_code ec, size_t bytes) = 0;
    };
    template <class Handler>
    struct Held final : Base {
      template <class H>
      explicit Held(H&& h) : handler(std::forward<H>(h)) {}
      void finish(error_code ec, size_t bytes) override {
        // Asio's rule: a handler's memory is freed before it runs, since
        // it may start the next operation at once.
        Handler local = std::move(handler);
        delete this;
        local(ec, bytes);
      }
      Handler handler;
    };
    std::unique_ptr<Base> held_;
  };

  explicit HttpTransport(boost::asio::ip::tcp::socket socket)
      : plain_(std::in_place, std::move(socket)) {}
  HttpTransport(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls)
      : tls_(std::in_place, std::move(socket), tls) {}

  executor_type get_executor() { return lowest().get_executor(); }
  // The TCP stream underneath: its timeouts bound every read and write.
  TcpStream& lowest() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_; }
  bool is_tls() const { return tls_.has_value(); }

  // The TLS handshake, as the server (only when is_tls()).
  void async_handshake(std::function<void(error_code)> done) {
    tls_->async_handshake(boost::asio::ssl::stream_base::server, std::move(done));
  }

  // AsyncReadStream: reads into the sequence's first buffer with room
  // (a read may always read less than there is room for).
  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(error_code, size_t)>(
        [this](auto&& h, const MutableBuffers& sequence) {
          mutable_buffer first;
          for (auto it = boost::asio::buffer_sequence_begin(sequence);
               it != boost::asio::buffer_sequence_end(sequence); ++it) {
            first = *it;
            if (first.size() > 0) break;
          }
          read_some(first, Completion(std::move(h)));
        },
        handler, buffers);
  }

  // AsyncWriteStream: writes from up to kGather of the sequence's buffers
  // (a write may always write less than it was given).
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(error_code, size_t)>(
        [this](auto&& h, const ConstBuffers& sequence) {
          gathered_count_ = 0;
          for (auto it = boost::asio::buffer_sequence_begin(sequence);
               it != boost::asio::buffer_sequence_end(sequence) && gathered_count_ < kGather;
               ++it) {
            if (const_buffer part = *it; part.size() > 0) gathered_[gathered_count_++] = part;
          }
          write_some(Completion(std::move(h)));
        },
        handler, buffers);
  }

 private:
  static constexpr size_t kGather = 16;
  // A buffer sequence over gathered_ (the stream keeps a copy of it).
  struct Gathered {
    using value_type = const_buffer;
    using const_iterator = const const_buffer*;
    const const_buffer* begin() const { return first; }
    const const_buffer* end() const { return last; }
    const const_buffer* first;
    const const_buffer* last;
  };

  void read_some(mutable_buffer buffer, Completion done) {
    if (tls_) {
      tls_->async_read_some(buffer, std::move(done));
    } else {
      plain_->async_read_some(buffer, std::move(done));
    }
  }
  void write_some(Completion done) {
    const Gathered sequence{gathered_.data(), gathered_.data() + gathered_count_};
    if (tls_) {
      tls_->async_write_some(sequence, std::move(done));
    } else {
      plain_->async_write_some(sequence, std::move(done));
    }
  }

  std::optional<TcpStream> plain_;  // one of the two is set
  std::optional<TlsStream> tls_;
  // The buffers of the write in flight (one at a time, as Asio requires).
  std::array<const_buffer, kGather> gathered_;
  size_t gathered_count_ = 0;
};

}  // namespace zg::api
