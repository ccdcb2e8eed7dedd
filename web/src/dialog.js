// Modal dialogs (嵌入 / Embed, 图片 / Picture): close on Escape and on a
// click on the backdrop, and keep Tab inside.

// wireDialog makes a modal dialog close on Escape and on a click on its
// backdrop, and keeps Tab inside it.
export function wireDialog(dlg, close) {
  dlg.addEventListener('click', (e) => {
    if (e.target === dlg) close()
  })
  dlg.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation()
      close()
      return
    }
    if (e.key !== 'Tab') return
    const all = [...dlg.querySelectorAll('button, select, textarea, input, a[href]')].filter((el) => el.getClientRects().length && !el.disabled)
    const first = all[0]
    const last = all[all.length - 1]
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault()
      last.focus()
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault()
      first.focus()
    }
  })
}

