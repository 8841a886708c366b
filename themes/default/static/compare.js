// The year picker on member and comparison pages: two selects that lead to the
// comparison of the chosen years. Without JavaScript the list of links does the job.
document.querySelectorAll("form.compare-picker").forEach((form) => {
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let a = Number(form.elements.fra.value);
    let b = Number(form.elements.til.value);
    const message = form.querySelector(".picker-message");
    if (a === b) {
      message.textContent = form.dataset.same;
      form.elements.fra.focus();
      return;
    }
    if (a > b) [a, b] = [b, a];
    window.location.href = `${form.dataset.url}${a}-${b}/`;
  });
});
