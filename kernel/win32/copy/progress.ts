// What the copy engine tells its caller while it works, in CopyFile2's terms
// (COPYFILE2_MESSAGE: chunk started/finished, stream started/finished), and how the caller
// answers (COPYFILE2_MESSAGE_ACTION). CopyFileExW's LPPROGRESS_ROUTINE sees the same events as
// CALLBACK_STREAM_SWITCH and CALLBACK_CHUNK_FINISHED (kernel/win32/copy/api.ts maps them).

import { COPYFILE2_MESSAGE_ACTION as A } from '../constants.ts'

export type CopyMessageType =
  | 'COPYFILE2_CALLBACK_CHUNK_STARTED'
  | 'COPYFILE2_CALLBACK_CHUNK_FINISHED'
  | 'COPYFILE2_CALLBACK_STREAM_STARTED'
  | 'COPYFILE2_CALLBACK_STREAM_FINISHED'

/** one COPYFILE2_MESSAGE, by the Info union's field names */
export interface CopyMessage {
  readonly Type: CopyMessageType
  /** 1 for the unnamed data stream, then the named streams in the order the file system lists them */
  readonly StreamNumber: number
  /** chunk messages: 0, 1, 2 … within the stream */
  readonly ChunkNumber?: number
  /** chunk messages: the chunk's size */
  readonly ChunkSize?: number
  readonly StreamSize: number
  readonly StreamBytesTransferred: number
  /** every stream's size together */
  readonly TotalFileSize: number
  readonly TotalBytesTransferred: number
}

/** COPYFILE2_MESSAGE_ACTION: what the callback answers */
export type CopyAction = (typeof A)[keyof typeof A]

/** a progress routine: called synchronously in the copying thread */
export type CopyProgress = (m: CopyMessage) => CopyAction

/** the settings of one copy that come from its caller, not from the machine */
export interface CopyCallbacks {
  readonly progress?: CopyProgress
  /** *pbCancel / pfCancel, read before every chunk */
  readonly cancelled?: () => boolean
}
