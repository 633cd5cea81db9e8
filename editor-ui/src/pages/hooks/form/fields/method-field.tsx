// A callback's HTTP method, with what each method means for the event's shape.
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors, type Method } from "../model";
import { SelectField } from "./select-field";

export function MethodField(props: {
  value: Method;
  onChange(method: Method): void;
  errors: ApiFailure | null;
}) {
  return (
    <SelectField
      label="Method"
      hint={
        props.value === "GET"
          ? "GET sends no body: the event travels as query parameters (event_id, event_type, timestamp and the top-level scalar fields of data)."
          : "The event is the JSON body: {id, type, timestamp, workspace, data, context}."
      }
      errors={fieldErrors(props.errors, "method")}
      value={props.value}
      options={[
        ["POST", "POST"],
        ["PUT", "PUT"],
        ["GET", "GET (query parameters)"],
      ]}
      onChange={props.onChange}
    />
  );
}
