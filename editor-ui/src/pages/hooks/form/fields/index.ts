// The fields both hook forms share (create and settings), one component per file; each shows the
// service's complaints about it (ApiFailure details whose path names it) right under it.
// The forms import these four; the rest are parts of them.
import "../hook-form.css";

export { CallbackFields } from "./callback-fields";
export { CommonFields } from "./common-fields";
export { FormField } from "./form-field";
export { FunctionFields } from "./function-fields";
