"""Baseline: the sample certificate rendered with reportlab + qrcode and the same font.

Draws what ecert-render draws (border, title, the ten labelled fields, photo, signature,
usage period, licence identifier, QR code at level M, seal with the authority's name on the
arc, the blank signature line) on an A4 landscape page, one thread, and reports the per-file
p50 and p99. The last line is `RESULT python ...` for bench/run-render.sh.

    bench/.venv/bin/python bench/render_baseline.py [N]
"""

import io
import math
import statistics
import sys
import time
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_PATH = Path(__file__).resolve().parent.parent / "assets/fonts/LXGWWenKai-Regular.ttf"
PAGE_W, PAGE_H = landscape(A4)

SHEET = {
    "name": "王建筑",
    "gender": "男",
    "birth_date": "1985年03月12日",
    "id_number": "11010519850312001X",
    "registration_number": "11100000000012345",
    "seal_number": "110012345",
    "employer_name": "北京市建筑设计研究院有限公司",
    "validity": "2025年01月01日至2026年12月31日",
    "issuing_authority": "中华人民共和国住房和城乡建设部",
    "issued_on": "2025年01月01日",
    "usage": "使用有效期：2025年06月01日至2025年11月27日",
    "licence_id": "1.2.156.3005.2.11100000000013127D.00012345.001.K",
    "qr_content": "https://ecert.example.cn/v/00012345",
    "version": 1,
}


def sample_images():
    """A JPEG photo and a transparent PNG signature like the Rust fixtures."""
    photo = Image.new("RGB", (413, 579), (70, 140, 200))
    draw = ImageDraw.Draw(photo)
    draw.ellipse((111, 110, 301, 350), fill=(236, 200, 172))
    draw.ellipse((6, 380, 406, 820), fill=(40, 48, 66))
    photo_bytes = io.BytesIO()
    photo.save(photo_bytes, "JPEG")
    sig = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sig)
    for step in range(4000):
        t = step / 4000
        x = 40 + 520 * t
        y = 100 + 45 * math.sin(t * 19) + 20 * math.cos(t * 41)
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(20, 30, 90, 255))
    sig_bytes = io.BytesIO()
    sig.save(sig_bytes, "PNG")
    return photo_bytes.getvalue(), sig_bytes.getvalue()


def y(top_mm):
    """reportlab's origin is bottom-left; the layout's is top-left, in millimetres."""
    return PAGE_H - top_mm * mm


def border(c):
    c.setStrokeColorRGB(150 / 255, 38 / 255, 30 / 255)
    c.setLineWidth(1.3 * mm)
    c.rect(8 * mm, 8 * mm, PAGE_W - 16 * mm, PAGE_H - 16 * mm)
    c.setLineWidth(0.35 * mm)
    c.rect(12 * mm, 12 * mm, PAGE_W - 24 * mm, PAGE_H - 24 * mm)


def fields(c, sheet):
    rows = [
        ("姓名", sheet["name"]),
        ("性别", sheet["gender"]),
        ("出生日期", sheet["birth_date"]),
        ("身份证件号码", sheet["id_number"]),
        ("注册号", sheet["registration_number"]),
        ("执业印章号", sheet["seal_number"]),
        ("聘用单位", sheet["employer_name"]),
        ("注册有效期", sheet["validity"]),
    ]
    top = 57
    for label, value in rows:
        c.setFont("WenKai", 4.2 * mm)
        c.drawRightString(104 * mm, y(top), label + "：")
        c.drawString(104 * mm, y(top), value)
        top += 8.8


def qr(c, content):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(content)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = 46 * mm / len(matrix)
    c.setFillColorRGB(0, 0, 0)
    path = c.beginPath()
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                path.rect(214 * mm + col * module, y(47) - (row + 1) * module, module, module)
    c.drawPath(path, stroke=0, fill=1)


def seal(c, authority):
    cx, cy, r = 247 * mm, y(169), 21 * mm
    c.setStrokeColorRGB(214 / 255, 24 / 255, 32 / 255, alpha=0.85)
    c.setFillColorRGB(214 / 255, 24 / 255, 32 / 255, alpha=0.85)
    c.setLineWidth(1.26 * mm)
    c.circle(cx, cy, r - 0.63 * mm)
    size = 5.0 * mm
    step = size * 1.08 / (r - 2.3 * mm - size / 2)
    span = step * len(authority)
    c.setFont("WenKai", size)
    for i, ch in enumerate(authority):
        angle = -span / 2 + (i + 0.5) * step
        c.saveState()
        c.translate(cx, cy)
        c.rotate(-math.degrees(angle))
        c.drawCentredString(0, r - 2.3 * mm - size * 0.93, ch)
        c.restoreState()


def render(sheet, photo, signature):
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(PAGE_W, PAGE_H), invariant=1)
    border(c)
    c.setFillColorRGB(170 / 255, 30 / 255, 30 / 255)
    c.setFont("WenKai", 8.4 * mm)
    c.drawCentredString(PAGE_W / 2, y(31), "中华人民共和国一级注册建筑师注册证书")
    c.setFillColorRGB(0.1, 0.1, 0.1)
    fields(c, sheet)
    c.drawImage(ImageReader(io.BytesIO(photo)), 24 * mm, y(99), 35 * mm, 49 * mm)
    c.drawImage(ImageReader(io.BytesIO(signature)), 24 * mm, y(118), 35 * mm, 11.7 * mm,
                mask="auto")
    qr(c, sheet["qr_content"])
    c.setFont("WenKai", 3.0 * mm)
    c.drawCentredString(237 * mm, y(96.5), "扫码核验真伪及状态")
    c.drawCentredString(237 * mm, y(102), f"第{sheet['version']}版")
    c.setFillColorRGB(170 / 255, 30 / 255, 30 / 255)
    c.setFont("WenKai", 4.6 * mm)
    c.drawString(24 * mm, y(153), sheet["usage"])
    c.setFillColorRGB(0.1, 0.1, 0.1)
    c.setFont("WenKai", 3.3 * mm)
    c.drawString(24 * mm, y(160.5), "电子证照标识：" + sheet["licence_id"])
    c.setFont("WenKai", 4.2 * mm)
    c.drawString(150 * mm, y(167.4), "发证机关：" + sheet["issuing_authority"])
    c.drawString(150 * mm, y(176.2), "发证日期：" + sheet["issued_on"])
    c.drawString(24 * mm, y(183), "个人签名：")
    c.line(45 * mm, y(184), 120 * mm, y(184))
    seal(c, sheet["issuing_authority"])
    c.showPage()
    c.save()
    return out.getvalue()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    started = time.perf_counter()
    pdfmetrics.registerFont(TTFont("WenKai", str(FONT_PATH)))
    print(f"font loaded in {(time.perf_counter() - started) * 1000:.1f} ms")
    photo, signature = sample_images()
    for _ in range(3):
        render(SHEET, photo, signature)
    times = []
    size = 0
    for _ in range(n):
        start = time.perf_counter()
        size = len(render(SHEET, photo, signature))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[max(0, math.ceil(len(times) * 0.99) - 1)]
    print(f"reportlab pdf: p50 {p50:.2f} ms, p99 {p99:.2f} ms, {size} bytes, {n} files")
    print(f"RESULT python p50_ms={p50:.3f} p99_ms={p99:.3f} bytes={size}")


if __name__ == "__main__":
    main()
