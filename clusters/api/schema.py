"""OpenAPI generation: document every status code an operation can answer with, and anonymous reads."""

from drf_spectacular import openapi
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

_DETAIL = build_object_type(properties={"detail": build_basic_type(OpenApiTypes.STR)}, required=["detail"])
_FIELD_ERRORS = build_object_type(
    additionalProperties=build_array_type(build_basic_type(OpenApiTypes.STR)),
    description="参数名或字段名 → 错误信息列表（non_field_errors 为整体错误）",
)

_ERRORS = {
    "400": OpenApiResponse(_FIELD_ERRORS, description="参数或字段无效：键为出错的参数名或字段名"),
    "401": OpenApiResponse(_DETAIL, description="未登录（写操作需要员工的令牌或会话）"),
    "403": OpenApiResponse(_DETAIL, description="不是员工，或没有相应的模型权限"),
    "404": OpenApiResponse(_DETAIL, description="不存在、未公开、页码超出范围，或 format 参数不认识"),
    "409": OpenApiResponse(_DETAIL, description="有其他记录引用，不能删除"),
    "429": OpenApiResponse(_DETAIL, description="请求过于频繁"),
}


class AutoSchema(openapi.AutoSchema):
    def _error_codes(self):
        has_filters = getattr(self.view, "filterset_class", None) is not None
        has_object = "{" in self.path
        if self.method == "GET":
            # 404 on every read: an unknown object or page, and DRF's `?format=` with an unknown format.
            codes = ["404", "429"]
            if has_filters:
                codes.append("400")
            return codes
        codes = ["401", "403", "429"]
        if self.method != "DELETE":
            codes.append("400")
        if has_object:
            codes.append("404")
        if self.method == "DELETE":
            codes.append("409")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes()):
            responses.setdefault(code, self._get_response_for_code(_ERRORS[code], code, direction=direction))
        return responses

    def get_auth(self):
        """Reads need no credentials: say so, or clients (and schemathesis) expect a 401 without them."""
        auths = super().get_auth()
        if self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
