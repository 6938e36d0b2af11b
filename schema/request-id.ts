import { z } from "zod";

// A request id is kept only when it is short and plain, so it cannot smuggle anything into a log line, a header
// or an email. The edge checks what a caller sends; events check what a queue delivers (an old or foreign body).
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const RequestId = z.string().regex(REQUEST_ID_PATTERN, "a request id is 1 to 128 letters, digits, '.', '_', ':' or '-'");
