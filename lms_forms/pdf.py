"""PDF documents (attendance lists, certificates) rendered from templates by WeasyPrint, tagged for
screen readers (PDF/UA) and with the document's language and title."""

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template_name, context, request=None):
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF views need.
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/") if request else None).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True
    )


def pdf_response(content, filename, *, inline=True):
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
