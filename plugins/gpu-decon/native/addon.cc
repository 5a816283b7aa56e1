// N-API bindings: every operation runs on a libuv worker thread and returns { promise, cancel }.
#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_probe.h"
#include "decon_problem.h"
#include "deskew.h"
#include "huge_buffer.h"
#include "rl_iterate.h"

namespace gpudecon {

namespace {
struct Progress {
  int done = 0, total = 0;
};

/** Runs `task` off the JavaScript thread; resolves with `result(env)` or rejects with an error carrying `code`. */
class TaskWorker : public Napi::AsyncProgressWorker<Progress> {
 public:
  using Task = std::function<void(const JobControl&)>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  TaskWorker(Napi::Env env, const char* name, Task task, Result result, std::vector<Napi::Object> keep, Napi::Value on_progress)
      : Napi::AsyncProgressWorker<Progress>(env, name),
        task_(std::move(task)),
        result_(std::move(result)),
        deferred_(Napi::Promise::Deferred::New(env)),
        cancelled_(std::make_shared<std::atomic<bool>>(false)) {
    for (auto& object : keep) keep_.push_back(Napi::Persistent(object));
    if (on_progress.IsFunction()) progress_ = Napi::Persistent(on_progress.As<Napi::Function>());
  }

  Napi::Promise promise() const { return deferred_.Promise(); }
  std::shared_ptr<std::atomic<bool>> cancelled() const { return cancelled_; }

 protected:
  void Execute(const ExecutionProgress& progress) override {
    JobControl control;
    control.cancelled = cancelled_.get();
    control.progress = [&progress](int done, int total) {
      Progress p{done, total};
      progress.Send(&p, 1);
    };
    try {
      task_(control);
    } catch (const Cancelled&) {
      code_ = "CANCELLED";
      SetError("cancelled");
    } catch (const InvalidArgument& e) {
      code_ = "INVALID";
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "OUT_OF_MEMORY";
      SetError("out of memory");
    } catch (const std::exception& e) {
      code_ = "FAILED";
      SetError(e.what());
    }
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (progress_.IsEmpty() || count == 0) return;
    Napi::Env env = Env();
    progress_.Call({Napi::Number::New(env, data[count - 1].done), Napi::Number::New(env, data[count - 1].total)});
  }

  void OnOK() override { deferred_.Resolve(result_(Env())); }

  void OnError(const Napi::Error& error) override {
    Napi::Object e = error.Value();
    e.Set("code", Napi::String::New(Env(), code_.empty() ? "FAILED" : code_));
    deferred_.Reject(e);
  }

 private:
  Task task_;
  Result result_;
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::vector<Napi::ObjectReference> keep_;
  Napi::FunctionReference progress_;
  std::string code_;
};

/** Queues the worker and returns { promise, cancel }. */
Napi::Value start(Napi::Env env, TaskWorker* worker) {
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", worker->promise());
  auto flag = worker->cancelled();
  handle.Set("cancel", Napi::Function::New(env, [flag](const Napi::CallbackInfo& info) {
               flag->store(true);
               return info.Env().Undefined();
             }));
  worker->Queue();
  return handle;
}

[[noreturn]] void type_error(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }
[[noreturn]] void range_error(Napi::Env env, const std::string& message) { throw Napi::RangeError::New(env, message); }

Dims read_shape(Napi::Env env, const Napi::Object& options, const char* key) {
  Napi::Value value = options.Get(key);
  if (!value.IsArray() || value.As<Napi::Array>().Length() != 3) type_error(env, std::string(key) + " must be an array [z, y, x]");
  Napi::Array a = value.As<Napi::Array>();
  long v[3];
  for (uint32_t i = 0; i < 3; ++i) {
    Napi::Value n = a.Get(i);
    const double d = n.IsNumber() ? n.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 1) || d != static_cast<double>(static_cast<long>(d)) || d > 1e6) {
      range_error(env, std::string(key) + "[" + std::to_string(i) + "] must be a positive integer");
    }
    v[i] = static_cast<long>(d);
  }
  return Dims{v[0], v[1], v[2]};
}

/** A Float32Array or Uint16Array under `key` whose length matches the shape under `shape_key`. */
VolumeView read_volume(Napi::Env env, const Napi::Object& options, const char* key, const char* shape_key, bool allow_uint16,
                       std::vector<Napi::Object>& keep) {
  Napi::Value value = options.Get(key);
  if (!value.IsTypedArray()) type_error(env, std::string(key) + (allow_uint16 ? " must be a Float32Array or Uint16Array" : " must be a Float32Array"));
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  VolumeView view;
  if (array.TypedArrayType() == napi_float32_array) {
    view.type = SampleType::Float32;
    view.data = array.As<Napi::Float32Array>().Data();
  } else if (allow_uint16 && array.TypedArrayType() == napi_uint16_array) {
    view.type = SampleType::Uint16;
    view.data = array.As<Napi::Uint16Array>().Data();
  } else {
    type_error(env, std::string(key) + (allow_uint16 ? " must be a Float32Array or Uint16Array" : " must be a Float32Array"));
  }
  view.dims = read_shape(env, options, shape_key);
  if (static_cast<long>(array.ElementLength()) != view.dims.count()) {
    range_error(env, std::string(key) + " holds " + std::to_string(array.ElementLength()) + " values but " + shape_key + " [" +
                         std::to_string(view.dims.z) + ", " + std::to_string(view.dims.y) + ", " + std::to_string(view.dims.x) + "] needs " +
                         std::to_string(view.dims.count()));
  }
  keep.push_back(array);
  return view;
}

double number_or(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

bool bool_or(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

std::string string_or(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : fallback;
}

int default_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

Napi::Array dims_array(Napi::Env env, const Dims& d) {
  Napi::Array a = Napi::Array::New(env, 3);
  a.Set(0u, Napi::Number::New(env, static_cast<double>(d.z)));
  a.Set(1u, Napi::Number::New(env, static_cast<double>(d.y)));
  a.Set(2u, Napi::Number::New(env, static_cast<double>(d.x)));
  return a;
}

/** A result buffer handed to JavaScript; `recycled` once recycle() gave it back to the pool early. */
struct OutputBuffer {
  void* data;
  size_t bytes;
  bool recycled = false;
};

/** Result buffers still owned by a JavaScript ArrayBuffer, by address (JavaScript thread only). */
std::unordered_map<void*, OutputBuffer*>& live_outputs() {
  static std::unordered_map<void*, OutputBuffer*> live;
  return live;
}

/**
 * Bytes given back by recycle() that V8 still counts as external memory: the process still holds
 * them (in the pool), and a result that reuses them does not add them again. Reporting a recycled
 * buffer's bytes again on every reuse would make V8 run a full garbage collection on each call.
 */
size_t& recycled_reported() {
  static size_t bytes = 0;
  return bytes;
}

/** Stops counting recycled bytes the pool no longer holds (evicted, released, or taken for work buffers). */
void sync_recycled(Napi::Env env) {
  const size_t pooled = pooled_bytes();
  if (recycled_reported() > pooled) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(recycled_reported() - pooled));
    recycled_reported() = pooled;
  }
}

/**
 * An uninitialised Float32Array of `count` values in a pooled buffer (filled by the worker, handed
 * to JavaScript without a copy, back to the pool when collected or recycled; its size is reported to V8).
 */
Napi::Float32Array new_output(Napi::Env env, long count) {
  const size_t bytes = sizeof(float) * static_cast<size_t>(std::max(1L, count));
  void* data = nullptr;
  bool from_pool = false;
  try {
    data = huge_alloc(bytes, &from_pool);
  } catch (const std::bad_alloc&) {
    range_error(env, "cannot allocate " + std::to_string(bytes) + " bytes for the result");
  }
  auto* state = new OutputBuffer{data, bytes};
  live_outputs()[data] = state;
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, data, bytes,
      [](Napi::Env e, void* p, OutputBuffer* st) {
        if (!st->recycled) {
          auto found = live_outputs().find(p);
          if (found != live_outputs().end() && found->second == st) live_outputs().erase(found);
          huge_free(p);
          Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(st->bytes));
        }
        delete st;
      },
      state);
  if (from_pool && recycled_reported() >= bytes) {
    recycled_reported() -= bytes;  // already counted
  } else {
    Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  }
  sync_recycled(env);
  return Napi::Float32Array::New(env, static_cast<size_t>(count), buffer, 0);
}

/**
 * recycle(array): gives a result array of this addon back to the buffer pool now instead of when
 * the garbage collector finds it, so the next call of the same size writes to warm pages. The
 * array's ArrayBuffer is detached (length 0 afterwards). Returns the bytes recycled: 0 for an
 * array this addon did not allocate (e.g. a caller's `out`) or one already recycled.
 */
Napi::Value Recycle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) type_error(env, "recycle(array) needs a typed array returned by this addon");
  Napi::ArrayBuffer buffer = info[0].As<Napi::TypedArray>().ArrayBuffer();
  auto found = live_outputs().find(buffer.Data());
  if (buffer.ByteLength() == 0 || found == live_outputs().end() || found->second->bytes != buffer.ByteLength()) {
    return Napi::Number::New(env, 0);
  }
  OutputBuffer* state = found->second;
  buffer.Detach();
  state->recycled = true;
  live_outputs().erase(found);
  huge_free(state->data);
  recycled_reported() += state->bytes;
  sync_recycled(env);
  return Napi::Number::New(env, static_cast<double>(state->bytes));
}

/**
 * The caller's `out` Float32Array when given (reused across calls: no allocation, no page faults),
 * checked to hold exactly `count` values; else `reuse` when it is a Float32Array of exactly
 * `count` values (any other `reuse` is ignored: "this one if it fits"); else a new output buffer.
 */
Napi::Float32Array output_for(Napi::Env env, const Napi::Object& options, long count) {
  Napi::Value out = options.Get("out");
  if (out.IsUndefined() || out.IsNull()) {
    Napi::Value reuse = options.Get("reuse");
    if (reuse.IsTypedArray() && reuse.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array &&
        static_cast<long>(reuse.As<Napi::Float32Array>().ElementLength()) == count && count > 0) {
      return reuse.As<Napi::Float32Array>();
    }
    return new_output(env, count);
  }
  if (!out.IsTypedArray() || out.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) type_error(env, "out must be a Float32Array");
  Napi::Float32Array array = out.As<Napi::Float32Array>();
  if (static_cast<long>(array.ElementLength()) != count) {
    range_error(env, "out holds " + std::to_string(array.ElementLength()) + " values but the result needs " + std::to_string(count));
  }
  return array;
}

/** Throws a RangeError when `out` shares memory with an input volume. */
void check_disjoint(Napi::Env env, const Napi::Float32Array& out, const VolumeView& input, const char* name) {
  const char* a = reinterpret_cast<const char*>(out.Data());
  const char* b = static_cast<const char*>(input.data);
  const size_t a_len = out.ByteLength();
  const size_t b_len = static_cast<size_t>(input.dims.count()) * (input.type == SampleType::Float32 ? 4 : 2);
  if (a < b + b_len && b < a + a_len) range_error(env, std::string("the output (out or reuse) must not share memory with ") + name);
}

bool resolve_cuda(Napi::Env env, const std::string& device) {
  if (device == "cpu") return false;
  if (device != "auto" && device != "cuda") range_error(env, "device must be 'auto', 'cpu' or 'cuda', got '" + device + "'");
  std::string why;
  const int count = cuda_device_count(&why);
  if (device == "cuda" && count == 0) throw Napi::Error::New(env, "device 'cuda' was asked for but " + why);
  return count > 0;
}

Napi::Value Deconvolve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) type_error(env, "deconvolve(options) needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  std::vector<Napi::Object> keep;
  const VolumeView image = read_volume(env, o, "image", "shape", true, keep);
  const VolumeView psf = read_volume(env, o, "psf", "psfShape", false, keep);
  DeconOptions options;
  const double iterations = number_or(o, "iterations", 10);
  if (!(iterations >= 0 && iterations <= 10000) || iterations != static_cast<int>(iterations)) range_error(env, "iterations must be an integer in [0, 10000]");
  options.iterations = static_cast<int>(iterations);
  const std::string mode = string_or(o, "mode", "padded");
  if (mode != "padded" && mode != "wrap") range_error(env, "mode must be 'padded' or 'wrap', got '" + mode + "'");
  options.wrap = mode == "wrap";
  options.accelerate = bool_or(o, "accelerate", false);
  options.background = number_or(o, "background", 0);
  options.napodize = static_cast<long>(number_or(o, "napodize", options.wrap ? 10 : 0));
  options.nz_blend = static_cast<long>(number_or(o, "nzBlend", 0));
  options.ratio_limit = static_cast<float>(number_or(o, "ratioLimit", 0));
  options.threads = static_cast<int>(number_or(o, "threads", default_threads()));
  if (options.threads < 1 || options.threads > 1024) range_error(env, "threads must be in [1, 1024]");
  const std::string planner = string_or(o, "planner", "measure");
  if (planner != "measure" && planner != "estimate") range_error(env, "planner must be 'measure' or 'estimate'");
  options.measure = planner == "measure";
  options.wisdom_dir = string_or(o, "wisdomDir", "");
  options.psf.background = number_or(o, "psfBackground", 0);
  options.psf.radial = bool_or(o, "radialPsf", false);
  options.cuda = resolve_cuda(env, string_or(o, "device", "auto"));
  const Dims out_dims = decon_output_dims(image.dims, options.wrap);
  Napi::Float32Array output = output_for(env, o, out_dims.count());
  check_disjoint(env, output, image, "image");
  check_disjoint(env, output, psf, "psf");
  keep.push_back(output);
  float* out = output.Data();
  auto report = std::make_shared<DeconReport>();
  auto output_ref = std::make_shared<Napi::ObjectReference>(Napi::Persistent(Napi::Object(output)));
  auto* worker = new TaskWorker(
      env, "gpu-decon.deconvolve",
      [=](const JobControl& control) { *report = deconvolve(image, static_cast<const float*>(psf.data), psf.dims, options, out, control); },
      [=](Napi::Env e) {
        Napi::Object r = Napi::Object::New(e);
        r.Set("data", output_ref->Value());
        r.Set("shape", dims_array(e, report->output));
        r.Set("grid", dims_array(e, report->grid));
        r.Set("device", report->device);
        r.Set("planSource", report->plan_source);
        r.Set("planMs", report->plan_ms);
        r.Set("otfMs", report->otf_ms);
        r.Set("iterateMs", report->iterate_ms);
        r.Set("fluxIn", report->flux_in);
        r.Set("fluxOut", report->flux_out);
        r.Set("background", report->background);
        r.Set("psfBackground", report->psf_background);
        Napi::Array lambdas = Napi::Array::New(e, report->lambdas.size());
        for (size_t i = 0; i < report->lambdas.size(); ++i) lambdas.Set(static_cast<uint32_t>(i), report->lambdas[i]);
        r.Set("lambdas", lambdas);
        return r;
      },
      keep, o.Get("onProgress"));
  return start(env, worker);
}

Napi::Value Deskew(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) type_error(env, "deskew(options) needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  std::vector<Napi::Object> keep;
  const VolumeView image = read_volume(env, o, "image", "shape", true, keep);
  DeskewOptions options;
  options.angle = number_or(o, "angle", 31.5);
  options.dz = number_or(o, "dz", 0.5);
  options.dx = number_or(o, "dx", 0.1);
  options.width = static_cast<long>(number_or(o, "width", 0));
  options.shift = number_or(o, "shift", 0);
  options.pad_value = static_cast<float>(number_or(o, "padValue", 0));
  options.threads = static_cast<int>(number_or(o, "threads", default_threads()));
  DeskewGeometry g;
  try {
    g = deskew_geometry(image.dims, options);
  } catch (const InvalidArgument& e) {
    range_error(env, e.what());
  }
  const Dims out_dims{image.dims.z, image.dims.y, g.width};
  Napi::Float32Array output = output_for(env, o, out_dims.count());
  check_disjoint(env, output, image, "image");
  keep.push_back(output);
  float* out = output.Data();
  auto output_ref = std::make_shared<Napi::ObjectReference>(Napi::Persistent(Napi::Object(output)));
  auto* worker = new TaskWorker(
      env, "gpu-decon.deskew", [=](const JobControl& control) { deskew(image, options, out, control); },
      [=](Napi::Env e) {
        Napi::Object r = Napi::Object::New(e);
        r.Set("data", output_ref->Value());
        r.Set("shape", dims_array(e, out_dims));
        r.Set("shear", g.shear);
        r.Set("dz", g.dz_out);
        return r;
      },
      keep, o.Get("onProgress"));
  return start(env, worker);
}

Napi::Value Rotate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) type_error(env, "rotate(options) needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  std::vector<Napi::Object> keep;
  const VolumeView image = read_volume(env, o, "image", "shape", false, keep);
  const double angle = number_or(o, "angle", 31.5), dz = number_or(o, "dz", 0), dx = number_or(o, "dx", 0);
  if (!(dz > 0) || !(dx > 0)) range_error(env, "rotate needs positive dz and dx");
  const int threads = static_cast<int>(number_or(o, "threads", default_threads()));
  const RotateGeometry g = rotate_geometry(image.dims, angle, dz, dx);
  const Dims out_dims{g.nz, image.dims.y, g.nx};
  Napi::Float32Array output = new_output(env, out_dims.count());
  keep.push_back(output);
  float* out = output.Data();
  auto output_ref = std::make_shared<Napi::ObjectReference>(Napi::Persistent(Napi::Object(output)));
  auto* worker = new TaskWorker(
      env, "gpu-decon.rotate",
      [=](const JobControl& control) { rotate(static_cast<const float*>(image.data), image.dims, angle, dz, dx, out, threads, control); },
      [=](Napi::Env e) {
        Napi::Object r = Napi::Object::New(e);
        r.Set("data", output_ref->Value());
        r.Set("shape", dims_array(e, out_dims));
        return r;
      },
      keep, o.Get("onProgress"));
  return start(env, worker);
}

Napi::Value MaxProjections(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) type_error(env, "maxProjections(options) needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  std::vector<Napi::Object> keep;
  const VolumeView image = read_volume(env, o, "image", "shape", false, keep);
  const int threads = static_cast<int>(number_or(o, "threads", default_threads()));
  const Dims d = image.dims;
  Napi::Float32Array z = new_output(env, d.y * d.x), y = new_output(env, d.z * d.x), x = new_output(env, d.z * d.y);
  keep.push_back(z);
  keep.push_back(y);
  keep.push_back(x);
  float *pz = z.Data(), *py = y.Data(), *px = x.Data();
  auto refs = std::make_shared<std::vector<Napi::ObjectReference>>();
  refs->push_back(Napi::Persistent(Napi::Object(z)));
  refs->push_back(Napi::Persistent(Napi::Object(y)));
  refs->push_back(Napi::Persistent(Napi::Object(x)));
  auto* worker = new TaskWorker(
      env, "gpu-decon.maxProjections",
      [=](const JobControl&) { max_projections(static_cast<const float*>(image.data), d, pz, py, px, threads); },
      [=](Napi::Env) {
        Napi::Object r = Napi::Object::New(env);
        r.Set("z", (*refs)[0].Value());
        r.Set("y", (*refs)[1].Value());
        r.Set("x", (*refs)[2].Value());
        return r;
      },
      keep, Napi::Value());
  return start(env, worker);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object r = Napi::Object::New(env);
  r.Set("fftw", fftw_version_string());
  r.Set("threads", default_threads());
#ifdef _OPENMP
  r.Set("openmp", true);
#else
  r.Set("openmp", false);
#endif
  Napi::Object cuda = Napi::Object::New(env);
  std::string why;
  cuda.Set("compiled", cuda_compiled());
  cuda.Set("devices", cuda_device_count(&why));
  if (!why.empty()) cuda.Set("reason", why);
  r.Set("cuda", cuda);
  return r;
}

Napi::Value TriadBandwidth(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double mb = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 320;
  const int threads = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : default_threads();
  if (!(mb >= 1 && mb <= 16384) || threads < 1) range_error(env, "triadBandwidth(mb in [1, 16384], threads >= 1)");
  return Napi::Number::New(env, triad_bandwidth(static_cast<long>(mb * 1e6 / 12), 7, threads));
}

Napi::Value FreshStreamTime(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint16_array || !info[1].IsNumber()) {
    type_error(env, "freshStreamTime(input: Uint16Array, outputBytes: number, threads?) needs a Uint16Array and a byte count");
  }
  auto input = info[0].As<Napi::Uint16Array>();
  const double bytes = info[1].As<Napi::Number>().DoubleValue();
  const int threads = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : default_threads();
  if (input.ElementLength() == 0 || !(bytes >= 4 && bytes <= 64e9) || threads < 1) range_error(env, "freshStreamTime: empty input, outputBytes outside [4, 64e9] or threads < 1");
  return Napi::Number::New(env, fresh_stream_seconds(input.Data(), static_cast<long>(input.ElementLength()), static_cast<long>(bytes / 4), threads));
}

Napi::Value WisdomFile(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) type_error(info.Env(), "wisdomFile(dir) needs a folder");
  return Napi::String::New(info.Env(), wisdom_path(info[0].As<Napi::String>().Utf8Value()));
}

Napi::Value ReleaseBuffers(const Napi::CallbackInfo& info) {
  const size_t released = release_pooled_buffers();
  sync_recycled(info.Env());
  return Napi::Number::New(info.Env(), static_cast<double>(released));
}

Napi::Value PooledBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(pooled_bytes())); }

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  exports.Set("deconvolve", Napi::Function::New(env, Deconvolve));
  exports.Set("deskew", Napi::Function::New(env, Deskew));
  exports.Set("rotate", Napi::Function::New(env, Rotate));
  exports.Set("maxProjections", Napi::Function::New(env, MaxProjections));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("wisdomFile", Napi::Function::New(env, WisdomFile));
  exports.Set("triadBandwidth", Napi::Function::New(env, TriadBandwidth));
  exports.Set("freshStreamTime", Napi::Function::New(env, FreshStreamTime));
  exports.Set("releaseBuffers", Napi::Function::New(env, ReleaseBuffers));
  exports.Set("pooledBytes", Napi::Function::New(env, PooledBytes));
  exports.Set("recycle", Napi::Function::New(env, Recycle));
  return exports;
}
}  // namespace

}  // namespace gpudecon

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return gpudecon::InitAddon(env, exports); }

NODE_API_MODULE(gpu_decon, Init)
