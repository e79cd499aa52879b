#pragma once
// FFmpeg's libraries log to stderr by default; the CLI's stderr belongs to the user. Their
// messages go to our logger at debug level instead (warnings about a damaged file are normal
// and already turned into a MediaRejected when they matter).
namespace tgscribe::media {

// Idempotent and thread-safe; called before any FFmpeg use in this module.
void route_ffmpeg_logs();

}  // namespace tgscribe::media
