#pragma once
// The bot's message catalogue: every text a user can see, in English and Indonesian.
// Handlers never hold text; they name a Msg and pass placeholders as fmt named arguments
// (fmt::arg("id", ...)), so translators can reorder them freely.
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace tgscribe::i18n {

enum class Lang { kEn, kId };

// "id", "id-ID", "ID" -> Indonesian; anything else (including empty) -> English.
Lang lang_for(std::string_view language_code);
// "en" / "id": the language_code used for setMyCommands.
const char* lang_code(Lang lang);

enum class Msg {
  // Commands
  kStart,
  kHelp,
  kUnknownCommand,
  kSendMedia,
  kAccessDenied,
  kLangCurrent,
  kLangSet,
  kLangSetAuto,
  kLangInvalid,
  kModeCurrentAuto,
  kModeCurrentManual,
  kModeSetAuto,
  kModeSetManual,
  kModeUsage,
  kModeGroupsOnly,
  kModeAdminsOnly,
  kTranscribeNeedsReply,
  kTranscribeNotMedia,
  kStatusNone,
  kStatusHeader,
  kStatusLineQueued,
  kStatusLineRunning,
  kCancelNone,
  kCancelDone,
  kCancelRequested,
  kCancelNotFound,
  kStatsDenied,
  kStats,
  kForgetDone,
  kUsage,
  kUsageQuota,
  kUsageGlobalQuota,
  kUsageNoQuota,
  kUsageAdminExempt,
  kStatsUsage,
  kStatsUsageEngine,
  kStatsUsageUser,
  kStatsUsageNone,
  // Chat choices: /formats, /timestamps, /speakers
  kChoicesAdminsOnly,
  kFormatsCurrent,
  kFormatsNone,
  kFormatsDefaultNote,
  kFormatsSet,
  kFormatsSetNone,
  kFormatsSetDefault,
  kFormatsInvalid,
  kTimestampsCurrentOn,
  kTimestampsCurrentOff,
  kTimestampsSetOn,
  kTimestampsSetOff,
  kTimestampsUsage,
  kSpeakersCurrentOn,
  kSpeakersCurrentOff,
  kSpeakersSetOn,
  kSpeakersSetOnFallback,
  kSpeakersSetOff,
  kSpeakersUnsupported,
  kSpeakersUsage,
  // Intake
  kFileTooLarge,
  kFileTooLargeCloud,
  kMediaTooLong,
  kUserLimit,
  kServiceBusy,
  kBacklogSkipped,
  kQuotaUser,
  kQuotaGlobal,
  // Status message
  kStatusQueued,
  kStatusDownloading,
  kStatusConverting,
  kStatusTranscribing,
  kStatusTranscribingPercent,
  kStatusSending,
  kStatusDone,
  kStatusRetrying,
  kStatusFailed,
  kStatusCancelled,
  kStatusPaced,
  kStatusEta,
  // Delivery
  kFooter,
  kFromUser,
  kNoSpeech,
  kPreviewIntro,
  kLanguageUnknown,
  kSpeakerLabel,
  // Failures, told in plain words
  kRejectEmpty,
  kRejectNotMedia,
  kRejectNoAudio,
  kRejectCorrupt,
  kRejectTooLong,
  kRejectTooLarge,
  kRejectBlocked,
  kRejectUnsupported,
  kFailDownload,
  kFailFileTooBigCloud,
  kFailEngine,
  kFailInternal,
  kFailPoison,
  // setMyCommands descriptions
  kCmdStart,
  kCmdHelp,
  kCmdLang,
  kCmdMode,
  kCmdFormats,
  kCmdTimestamps,
  kCmdSpeakers,
  kCmdTranscribe,
  kCmdStatus,
  kCmdCancel,
  kCmdStats,
  kCmdForget,
  kCmdUsage,
  // Actions under a transcript (issue 16): buttons, callback answers, commands, results
  kActionButtonSummary,
  kActionButtonTranslate,
  kActionButtonSubtitles,
  kActionNameSummary,
  kActionNameTranslate,
  kActionNameSubtitles,
  kActionStatus,
  kActionAccepted,
  kActionRunning,
  kActionAlreadySent,
  kActionAlreadyFailed,
  kActionGone,
  kActionUnavailable,
  kActionLimit,
  kActionNeedsReply,
  kActionNotTranscript,
  kTranslateInvalid,
  kSummaryHeader,
  kFailTextModel,
  kCmdSummary,
  kCmdTranslate,
  kCount  // not a message
};

// The raw template (with {named} placeholders).
std::string_view templ(Lang lang, Msg msg);
// Every message, for tests and tools.
std::vector<Msg> all_messages();
const char* msg_name(Msg msg);

// Formats a message. A template/argument mismatch is a bug, but must never take a worker down:
// it logs and returns the raw template instead of throwing.
std::string format_message(Lang lang, Msg msg, fmt::format_args args);

template <typename... Args>
std::string tr(Lang lang, Msg msg, Args&&... args) {
  return format_message(lang, msg, fmt::make_format_args(args...));
}

// "0:07", "3:02", "1:02:03" — media durations in footers and refusals.
std::string format_duration(double seconds);
// Megabytes (10^6 bytes) with at most one decimal: "20", "23.5".
std::string format_mb(double bytes);

}  // namespace tgscribe::i18n
